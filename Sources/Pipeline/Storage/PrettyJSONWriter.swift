import ImagegenJSON

/// JSON written field by field in the layout of JSONEncoder with `.prettyPrinted`,
/// `.sortedKeys` and `.withoutEscapingSlashes` (two-space indent, `"key" : value`, doubles as
/// their description without a trailing `.0`), so records on the hot path skip JSONEncoder
/// (~100 µs per record on Linux). Callers give an object's keys in sorted order.
struct PrettyJSONWriter {
    /// A number JSON cannot carry (NaN, ±infinity): JSONEncoder refuses it too.
    struct NonFinite: Error, CustomStringConvertible {
        let key: String
        var description: String { "\(key) is not a finite number" }
    }

    private(set) var bytes: [UInt8] = []
    /// Members written so far in each open container (innermost last).
    private var counts: [Int] = []
    private var lastKey = ""

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts an object member: its value follows.
    mutating func key(_ key: String) {
        separate()
        writeString(key)
        bytes += [0x20, UInt8(ascii: ":"), 0x20]
        lastKey = key
    }

    /// Starts an array element: its value follows.
    mutating func element() { separate() }

    mutating func string(_ s: String) { writeString(s) }
    mutating func string(_ s: String?) { if let s { string(s) } else { null() } }
    mutating func int(_ i: some BinaryInteger) { bytes += Array(String(i).utf8) }
    mutating func int(_ i: (some BinaryInteger)?) { if let i { int(i) } else { null() } }
    mutating func bool(_ b: Bool) { bytes += Array((b ? "true" : "false").utf8) }
    mutating func null() { bytes += Array("null".utf8) }

    mutating func double(_ d: Double) throws(NonFinite) {
        guard d.isFinite else { throw NonFinite(key: lastKey) }
        var text = d.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes += Array(text.utf8)
    }

    mutating func double(_ d: Double?) throws(NonFinite) { if let d { try double(d) } else { null() } }

    /// `"key" : value` for each pair, keys sorted as JSONEncoder sorts them.
    mutating func stringObject(_ object: [String: String]) {
        beginObject()
        for k in object.keys.sorted() {
            key(k)
            string(object[k]!)
        }
        endObject()
    }

    mutating func stringArray(_ array: [String]) {
        beginArray()
        for s in array {
            element()
            string(s)
        }
        endArray()
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        counts.append(0)
    }

    private mutating func close(_ bracket: UInt8) {
        let members = counts.removeLast()
        bytes.append(0x0A)
        if members == 0 { bytes.append(0x0A) }
        indent(counts.count)
        bytes.append(bracket)
    }

    private mutating func separate() {
        if counts[counts.count - 1] > 0 { bytes.append(UInt8(ascii: ",")) }
        counts[counts.count - 1] += 1
        bytes.append(0x0A)
        indent(counts.count)
    }

    /// JSONEncoder's escapes: `\b` and `\f` short, `/` and DEL as they are, other control
    /// characters as `\u00xx`.
    private mutating func writeString(_ s: String) {
        JSONValue.writeString(s, to: &bytes, shortControls: true)
    }

    private mutating func indent(_ level: Int) {
        bytes += repeatElement(0x20, count: 2 * level)
    }
}
