import Synchronization
import Crypto

/// The host's redaction, shared by its log, the plugin HTTP client, job error messages and the
/// audit log. It starts with every secret of the secret store and every text form of the
/// master keys, and learns a secret the moment a plugin is handed one the store did not list
/// (a `secret_name` pointing at an unusual environment variable), so nothing a plugin can read
/// is ever written in the clear.
public final class LiveRedaction: Sendable {
    private struct State {
        var secrets: [(name: String, value: String)]
        var redactor: SecretRedactor
    }
    private let state: Mutex<State>

    public init(secrets: [(name: String, value: String)]) {
        state = Mutex(State(secrets: secrets, redactor: SecretRedactor(secrets: secrets)))
    }

    /// Secrets of the store plus the ring's master keys in every encoding.
    public convenience init(store: SecretStore, keyRing: KeyRing?, extra: [(name: String, value: String)] = []) {
        var secrets = store.namedValues + extra
        for key in keyRing?.allKeys ?? [] {
            for encoding in key.textEncodings { secrets.append((name: "master key \(key.id)", value: encoding)) }
        }
        self.init(secrets: secrets)
    }

    public func redact(_ text: String) -> String {
        state.withLock { $0.redactor }.redact(text)
    }

    public func containsSecret(_ text: String) -> Bool {
        state.withLock { $0.redactor }.containsSecret(text)
    }

    /// Names of secrets too short to mask (start-up warns about them).
    public var skippedNames: [String] { state.withLock { $0.redactor.skippedNames } }

    /// Adds a secret value (no-op when already known).
    public func learn(name: String, value: String) {
        state.withLock { state in
            guard !state.secrets.contains(where: { $0.value == value }) else { return }
            state.secrets.append((name: name, value: value))
            state.redactor = SecretRedactor(secrets: state.secrets)
        }
    }
}
