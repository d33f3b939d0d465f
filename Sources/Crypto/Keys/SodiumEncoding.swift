import CSodium

/// Hex and base64 through libsodium's constant-time codecs (key material goes through these,
/// so a timing side channel on the decoder would be a side channel on the key).
package enum SodiumEncoding {
    enum Base64Variant {
        case original, originalNoPadding, urlSafe, urlSafeNoPadding

        var sodiumValue: Int32 {
            switch self {
            case .original: return Int32(sodium_base64_VARIANT_ORIGINAL)
            case .originalNoPadding: return Int32(sodium_base64_VARIANT_ORIGINAL_NO_PADDING)
            case .urlSafe: return Int32(sodium_base64_VARIANT_URLSAFE)
            case .urlSafeNoPadding: return Int32(sodium_base64_VARIANT_URLSAFE_NO_PADDING)
            }
        }
    }

    package static func hex(_ bytes: some Collection<UInt8>) -> String {
        SodiumRuntime.ensureReady()
        let input = Array(bytes)
        var out = [CChar](repeating: 0, count: input.count * 2 + 1)
        input.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                _ = sodium_bin2hex(o.baseAddress!, o.count, inp.baseAddress, inp.count)
            }
        }
        return String(decoding: out.prefix(input.count * 2).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func base64(_ bytes: some Collection<UInt8>, variant: Base64Variant = .original) -> String {
        SodiumRuntime.ensureReady()
        let input = Array(bytes)
        let length = sodium_base64_encoded_len(input.count, variant.sodiumValue)
        var out = [CChar](repeating: 0, count: length)
        input.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                _ = sodium_bin2base64(o.baseAddress!, o.count, inp.baseAddress, inp.count, variant.sodiumValue)
            }
        }
        return String(decoding: out.prefix(length - 1).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes hex; nil unless the whole string is valid hex.
    package static func decodeHex(_ text: String) -> [UInt8]? {
        SodiumRuntime.ensureReady()
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: max(chars.count / 2, 1))
        var length = 0
        var end: UnsafePointer<CChar>? = nil
        let ok = chars.withUnsafeBufferPointer { inp -> Bool in
            inp.withMemoryRebound(to: CChar.self) { c in
                out.withUnsafeMutableBufferPointer { o in
                    sodium_hex2bin(o.baseAddress!, o.count, c.baseAddress, c.count, nil, &length, &end) == 0
                        && end == c.baseAddress! + c.count
                }
            }
        }
        guard ok else { return nil }
        return Array(out.prefix(length))
    }

    /// Decodes base64 in one variant; nil unless the whole string is valid in that variant.
    static func decodeBase64(_ text: String, variant: Base64Variant) -> [UInt8]? {
        SodiumRuntime.ensureReady()
        let chars = Array(text.utf8)
        guard !chars.isEmpty else { return [] }
        var out = [UInt8](repeating: 0, count: chars.count)  // decoded is always shorter
        var length = 0
        var end: UnsafePointer<CChar>? = nil
        let ok = chars.withUnsafeBufferPointer { inp -> Bool in
            inp.withMemoryRebound(to: CChar.self) { c in
                out.withUnsafeMutableBufferPointer { o in
                    sodium_base642bin(o.baseAddress!, o.count, c.baseAddress, c.count, nil, &length, &end,
                                      variant.sodiumValue) == 0
                        && end == c.baseAddress! + c.count
                }
            }
        }
        guard ok else { return nil }
        return Array(out.prefix(length))
    }

    /// Tries the base64 variants people paste keys in (standard or URL-safe, with or without '=').
    static func decodeAnyBase64(_ text: String) -> [UInt8]? {
        for variant in [Base64Variant.original, .originalNoPadding, .urlSafe, .urlSafeNoPadding] {
            if let bytes = decodeBase64(text, variant: variant) { return bytes }
        }
        return nil
    }
}
