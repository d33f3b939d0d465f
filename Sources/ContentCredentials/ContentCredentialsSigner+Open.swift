import Foundation
import ImagegenConfig

extension ContentCredentialsSigner {
    /// A 1×1 PNG signed once at start-up: a certificate the library refuses (wrong key usage, a
    /// key that does not match) stops the host there, not at the first published image.
    static let probePNG = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!

    /// The signer `settings` describe, loaded and tried once; every problem names its key and
    /// the fix. `secret` looks up a secret by name (environment, secrets file).
    public static func open(_ settings: C2PASettings, file: String?, secret: (String) -> String?) throws(ConfigurationError) -> ContentCredentialsSigner {
        let file = file ?? "(embedded defaults)"
        let library: C2PALibrary
        do {
            library = try C2PALibrary(path: settings.library ?? C2PASettings.installedLibrary)
        } catch {
            if settings.library != nil {
                throw .invalidValue(file: file, key: "labelling.c2pa.library", detail: "\(error)")
            }
            throw .invalidValue(file: file, key: "labelling.c2pa", detail:
                "signing is enabled but the C2PA C library is unusable (\(error)). Run scripts/install-deps.sh "
                + "(it runs `pip install c2pa-python==0.38.1` and links the wheel's c2pa/libs/libc2pa_c.so to "
                + "\(C2PASettings.installedLibrary)), or set labelling.c2pa.library to libc2pa_c.so's path, "
                + "or set labelling.c2pa.enabled to false")
        }
        guard let certificate = readPEM(settings.certificate) else {
            throw .invalidValue(file: file, key: "labelling.c2pa.certificate",
                                detail: "no readable file at \(settings.certificate): give the PEM certificate chain (signing certificate first)")
        }
        let key: String
        switch settings.privateKey {
        case .file(let path):
            guard let text = readPEM(path) else {
                throw .invalidValue(file: file, key: "labelling.c2pa.private_key",
                                    detail: "no readable file at \(path): give the PEM private key that matches the certificate")
            }
            key = text
        case .secret(let name):
            guard let value = secret(name), !value.isEmpty else {
                throw .invalidValue(file: file, key: "labelling.c2pa.private_key",
                                    detail: "no secret named \(name) in the environment or the secrets file; set it to the PEM private key, "
                                        + "or give the key file's path instead")
            }
            key = value
        }
        let signer: ContentCredentialsSigner
        do {
            signer = try ContentCredentialsSigner(library: library, algorithm: settings.algorithm, certificatePEM: certificate,
                                                  privateKeyPEM: key)
            _ = try signer.sign(probePNG, mimeType: "image/png", title: "probe.png",
                                claim: ContentCredentialsClaim(model: "probe", provider: "probe", createdAt: Date()))
        } catch {
            throw .invalidValue(file: file, key: "labelling.c2pa", detail:
                "the C2PA library refused the certificate and key with algorithm \(settings.algorithm.rawValue) (\(error)). "
                + "The certificate must be an end-entity certificate (not self-signed) with keyUsage digitalSignature and "
                + "extendedKeyUsage emailProtection or documentSigning, followed by its CA chain; the key must match it")
        }
        return signer
    }

    private static func readPEM(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
              text.contains("-----BEGIN") else { return nil }
        return text
    }
}
