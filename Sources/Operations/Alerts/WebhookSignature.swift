import CSodium
import Foundation

/// HMAC-SHA256 signatures of webhook bodies, GitHub style:
/// `X-Imagegen-Signature: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>`.
///
/// Computed with libsodium (`crypto_auth_hmacsha256_init/update/final`, which accept keys of any
/// length). Receivers must recompute over the raw bytes and compare in constant time.
public enum WebhookSignature {
    public static let headerName = "X-Imagegen-Signature"

    /// The lowercase hex HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256Hex(key: [UInt8], message: [UInt8]) -> String {
        _ = sodium_init()
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        var hex = [CChar](repeating: 0, count: mac.count * 2 + 1)
        _ = sodium_bin2hex(&hex, hex.count, mac, mac.count)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        return String(decoding: hex.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The header value for `body`: `sha256=<hex>`.
    public static func headerValue(secret: [UInt8], body: Data) -> String {
        "sha256=" + hmacSHA256Hex(key: secret, message: Array(body))
    }

    /// Checks a received header value in constant time (for receivers and tests).
    public static func verify(headerValue: String, secret: [UInt8], body: Data) -> Bool {
        let expected = Array(self.headerValue(secret: secret, body: body).utf8)
        let given = Array(headerValue.utf8)
        guard expected.count == given.count else { return false }
        return sodium_memcmp(expected, given, expected.count) == 0
    }
}
