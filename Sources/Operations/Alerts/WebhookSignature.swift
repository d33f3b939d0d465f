import Crypto
import Foundation

/// HMAC-SHA256 signatures of webhook bodies, GitHub style:
/// `X-Imagegen-Signature: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>`.
///
/// Computed with the Crypto target's `HMACSHA256` (libsodium; keys of any length). Receivers must recompute over the raw bytes and compare in constant time.
package enum WebhookSignature {
    package static let headerName = "X-Imagegen-Signature"

    /// The lowercase hex HMAC-SHA256 of `message` under `key`.
    package static func hmacSHA256Hex(key: [UInt8], message: [UInt8]) -> String {
        SodiumEncoding.hex(HMACSHA256.authenticate(key: key, message: message))
    }

    /// The header value for `body`: `sha256=<hex>`.
    package static func headerValue(secret: [UInt8], body: Data) -> String {
        "sha256=" + hmacSHA256Hex(key: secret, message: Array(body))
    }

    /// Checks a received header value in constant time (for receivers and tests).
    package static func verify(headerValue: String, secret: [UInt8], body: Data) -> Bool {
        ConstantTime.equal(Array(self.headerValue(secret: secret, body: body).utf8), Array(headerValue.utf8))
    }
}
