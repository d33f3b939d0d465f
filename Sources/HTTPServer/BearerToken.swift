import Crypto

/// Why a configured API token was refused.
package enum BearerTokenError: Error, CustomStringConvertible, Hashable {
    case tooShort(minimum: Int)
    case invalidCharacters

    package var description: String {
        switch self {
        case .tooShort(let minimum):
            return "API token is shorter than \(minimum) characters; set IMAGEGEN_API_TOKEN to a longer random value"
        case .invalidCharacters:
            return "API token may only contain letters, digits and -._~+/= (no spaces); set IMAGEGEN_API_TOKEN accordingly"
        }
    }
}

/// The secret a client must present as `Authorization: Bearer <token>`.
///
/// Only a BLAKE2b digest of the token is kept (`GenericHash`), so the secret
/// itself never sits in the server's memory, logs or descriptions. Presented tokens are hashed the
/// same way and compared in constant time (`ConstantTime`); hashing first also hides the
/// token's length from timing.
package struct BearerToken: Sendable, Hashable, CustomStringConvertible {
    package static let minimumLength = 16
    static let digestLength = 32

    private let digest: [UInt8]

    package init(_ token: String) throws(BearerTokenError) {
        let bytes = Array(token.utf8)
        guard bytes.count >= Self.minimumLength else { throw .tooShort(minimum: Self.minimumLength) }
        guard bytes.allSatisfy(Self.isToken68Byte) else { throw .invalidCharacters }
        digest = Self.hash(bytes)
    }

    /// Constant-time check of a presented token.
    package func matches<Bytes: Collection>(_ presented: Bytes) -> Bool where Bytes.Element == UInt8 {
        ConstantTime.equal(Self.hash(Array(presented)), digest)
    }

    package var description: String { "BearerToken(<redacted>)" }

    /// token68 (RFC 9110 §11.2): the characters a bearer credential may use.
    static func isToken68Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            return true
        default: return false
        }
    }

    private static func hash(_ bytes: [UInt8]) -> [UInt8] {
        GenericHash.hash(bytes, length: digestLength)
    }
}
