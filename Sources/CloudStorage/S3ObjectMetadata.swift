import Foundation

/// User metadata stored with an object as `x-amz-meta-<name>: <value>` headers.
///
/// S3 limits user metadata to 2 KB (the UTF-8 bytes of every name and value) and returns non-ASCII
/// values mangled (RFC 2047), so values are made ASCII-safe here: printable ASCII stays, everything
/// else — and `%` itself — is percent-encoded as UTF-8 (decode with `removingPercentEncoding`).
/// Names are lower-case, since S3 lower-cases them anyway.
package struct S3ObjectMetadata: Sendable, Hashable {
    package static let maximumBytes = 2048
    package static let headerPrefix = "x-amz-meta-"
    /// The hex SHA-256 of the object's bytes. The uploader always sets it, so an identical object is
    /// recognisable by HEAD even when it was uploaded in parts (whose S3 checksum is composite).
    package static let contentSHA256Name = "content-sha256"

    package private(set) var values: [String: String] = [:]

    package init() {}

    /// Sets `name` to the ASCII-safe form of `value`; checks the name and the 2 KB total.
    package mutating func set(_ name: String, _ value: String) throws(S3ObjectMetadataError) {
        let name = name.lowercased()
        guard !name.isEmpty, name.utf8.allSatisfy({ Self.nameBytes.contains($0) }), name.first != "-" else {
            throw .invalidName(name)
        }
        var updated = values
        updated[name] = Self.asciiSafe(value)
        let bytes = Self.byteCount(updated)
        guard bytes <= Self.maximumBytes else { throw .tooLarge(bytes: bytes, limit: Self.maximumBytes) }
        values = updated
    }

    /// Bytes counted against S3's limit.
    package var byteCount: Int { Self.byteCount(values) }

    /// The request headers, sorted by name.
    package var headers: [HTTPHeaderField] {
        values.keys.sorted().map { HTTPHeaderField(Self.headerPrefix + $0, values[$0]!) }
    }

    /// Reads `x-amz-meta-*` response headers (names lower-cased) back into metadata.
    init(responseHeaders: [String: String]) {
        for (name, value) in responseHeaders where name.hasPrefix(Self.headerPrefix) {
            values[String(name.dropFirst(Self.headerPrefix.count))] = value
        }
    }

    /// The decoded value of `name` (percent-encoding undone).
    package subscript(name: String) -> String? {
        values[name.lowercased()].map { $0.removingPercentEncoding ?? $0 }
    }

    private static let nameBytes: Set<UInt8> = Set(Array("abcdefghijklmnopqrstuvwxyz0123456789-".utf8))
    private static let safeValueCharacters: CharacterSet = {
        var set = CharacterSet(charactersIn: Unicode.Scalar(0x20)...Unicode.Scalar(0x7E))
        set.remove(charactersIn: "%")
        return set
    }()

    static func asciiSafe(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: safeValueCharacters) ?? ""
    }

    private static func byteCount(_ values: [String: String]) -> Int {
        values.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
    }
}
