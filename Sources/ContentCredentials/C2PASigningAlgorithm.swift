/// The signature algorithms `labelling.c2pa.algorithm` accepts; the key must be of the matching
/// kind (EC P-256, RSA-PSS-capable RSA, Ed25519).
public enum C2PASigningAlgorithm: String, Sendable, CaseIterable, Equatable {
    case es256
    case ps256
    case ed25519
}
