import CSodium

/// Lower-case hex rendering through libsodium's constant-time `sodium_bin2hex`
/// (SigV4 hashes and signatures must be lower-case hex).
package enum LowercaseHex {
    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [CChar](repeating: 0, count: bytes.count * 2 + 1)
        _ = bytes.withUnsafeBufferPointer { b in
            sodium_bin2hex(&out, out.count, b.baseAddress, b.count)
        }
        return String(decoding: out.prefix(bytes.count * 2).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
