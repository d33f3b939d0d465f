/// The independent keys derived from one master key with `crypto_kdf_derive_from_key`.
///
/// Using a separate subkey per purpose means a weakness in one use (say, the search index
/// leaking word frequencies) says nothing about the keys of the others, and the master key
/// itself is never fed to a cipher or MAC directly.
enum SubkeyPurpose: UInt64, CaseIterable, Sendable {
    case promptEncryption = 1
    case auditMAC = 2
    case searchIndex = 3

    /// libsodium's KDF context: exactly 8 bytes, fixed for this application.
    static let context = "imagegen"
}
