import Foundation

/// A JSON document as a value: what job references and provider payloads are made of.
///
/// Job references are opaque to the host, so providers need a JSON type that round-trips any
/// shape without a schema; `Codable` structs are still the better choice for fixed payloads.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        // try?: probing which JSON type the value holds; the last case throws the real error
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var number: Double? { if case .number(let n) = self { return n }; return nil }
    public var int: Int? { number.flatMap { $0.isFinite && $0 == $0.rounded() ? Int(exactly: $0) : nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// Parses UTF-8 JSON; `nil` when the bytes are not JSON. (Foundation's JSONSerialization:
    /// several times faster than decoding this enum through `JSONDecoder`.)
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        // try?: nil is this function's answer for "not JSON"; callers that need the reason parse themselves
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
        return JSONValue(foundation: object)
    }

    /// Converts what JSONSerialization returns. The order of the casts is the cost: objects are
    /// tried first and null last, because each failed cast of an `Any` is a runtime type search;
    /// the order of a `switch` over every type made the conversion four times the parse itself.
    init?(foundation object: Any) {
        if let o = object as? [String: Any] {
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(o.count)
            for (k, e) in o {
                guard let v = JSONValue(foundation: e) else { return nil }
                out[k] = v
            }
            self = .object(out)
        } else if let s = object as? String {
            self = .string(s)
        } else if let n = object as? NSNumber {
            // Booleans come back as NSNumber with the objCType of a C char.
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) } else { self = .number(n.doubleValue) }
        } else if let a = object as? [Any] {
            var out: [JSONValue] = []
            out.reserveCapacity(a.count)
            for e in a {
                guard let v = JSONValue(foundation: e) else { return nil }
                out.append(v)
            }
            self = .array(out)
        } else if object is NSNull {
            self = .null
        } else {
            return nil
        }
    }

    /// Compact UTF-8 encoding with sorted keys (stable bytes for the same value).
    ///
    /// Written directly rather than through JSONEncoder/JSONSerialization, which cost 50–150 µs
    /// for a small object on Linux: this runs on every plugin call.
    public func encoded() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out)
        return Data(out)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let n):
            if !n.isFinite { out += Array("null".utf8) }
            else if n == n.rounded(), abs(n) < 1e15 { out += Array(String(Int64(n)).utf8) }
            else { out += Array("\(n)".utf8) }
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                e.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                o[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// - Parameter shortControls: `\b` and `\f` short, as JSONEncoder writes them (the sidecar keeps
    ///   JSONEncoder's bytes); otherwise `\u0008` and `\u000c`.
    package static func writeString(_ s: String, to out: inout [UInt8], shortControls: Bool = false) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied in one go instead of byte by byte.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08 where shortControls: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C where shortControls: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Converts any `Encodable` into a `JSONValue`.
    public static func from(_ value: some Encodable) -> JSONValue {
        // try?: a value that does not encode becomes null, the documented fallback of this convenience
        guard let data = try? JSONEncoder().encode(value) else { return .null }
        return parse(data) ?? .null
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
