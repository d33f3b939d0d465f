import ImagegenJSON

/// Why a prompt could not be written or read: the host is locked (no usable key), or the vault
/// refused an envelope. Messages never contain the prompt or the key.
public enum PromptAccessError: Error, CustomStringConvertible, Equatable {
    case locked(reason: String)
    case vault(PromptVaultError)

    public var description: String {
        switch self {
        case .locked(let reason):
            return "prompts are encrypted and cannot be read or written: \(reason). Set \(KeyRingLoader.keyVariable) "
                + "(32 bytes, base64 or hex), \(KeyRingLoader.keyFileVariable) or encryption.key_file (a mode 0600 file)."
        case .vault(let error):
            return error.description
        }
    }
}

/// How the host stores prompts at rest: the one place that turns a prompt into what goes on disk
/// (catalog rows, sidecar files, provider job references) and back.
///
/// - *Encrypting*: every value is sealed with the vault (`enc:v1:<key id>:…`, bound to its record
///   and field) and opened with any key of the ring. Plaintext from before encryption (legacy
///   rows) still reads, and `imagegen keys rotate` encrypts it.
/// - *Locked*: a key protected this data but is not available. Writing refuses; reading strictly
///   throws, reading for display gives `unreadable` — so listings still work.
public struct PromptProtection: Sendable {
    public enum State: Sendable {
        case encrypting(PromptVault)
        case locked(reason: String)
    }

    /// What listings show in place of a prompt the host cannot decrypt.
    public static let unreadable = "[encrypted]"

    public let state: State
    public let search: PromptSearchMode

    public init(state: State, search: PromptSearchMode = .index) {
        self.state = state
        self.search = search
    }

    public static func encrypting(_ ring: KeyRing, search: PromptSearchMode = .index) -> PromptProtection {
        PromptProtection(state: .encrypting(PromptVault(keyRing: ring)), search: search)
    }

    public var vault: PromptVault? {
        if case .encrypting(let vault) = state { return vault }
        return nil
    }

    public var canRead: Bool { vault != nil }

    public var lockedReason: String? {
        if case .locked(let reason) = state { return reason }
        return nil
    }

    /// The stored form of `text`.
    public func seal(_ text: String, binding: EnvelopeBinding) throws(PromptAccessError) -> String {
        switch state {
        case .locked(let reason):
            throw .locked(reason: reason)
        case .encrypting(let vault):
            do { return try vault.encrypt(text, binding: binding) } catch { throw .vault(error) }
        }
    }

    /// The plaintext of a stored value; throws when it cannot be opened.
    public func open(_ stored: String, binding: EnvelopeBinding) throws(PromptAccessError) -> String {
        guard PromptEnvelope.looksLikeEnvelope(stored) else { return stored }
        switch state {
        case .locked(let reason):
            throw .locked(reason: reason)
        case .encrypting(let vault):
            do { return try vault.decrypt(stored, binding: binding) } catch { throw .vault(error) }
        }
    }

    /// The plaintext, or `unreadable` when it cannot be opened (listings, never an error).
    public func openForDisplay(_ stored: String, binding: EnvelopeBinding) -> String {
        // try?: a prompt sealed under a key this host lacks is shown as the unreadable marker, by design (a locked host lists, never reveals)
        (try? open(stored, binding: binding)) ?? Self.unreadable
    }

    /// Whether a stored value is sealed under a key the host does not hold now.
    public func isReadable(_ stored: String, binding: EnvelopeBinding) -> Bool {
        // try?: only the answer matters here: can this host open it
        (try? open(stored, binding: binding)) != nil
    }

    // MARK: - Provider job references

    /// A provider's job reference may embed the prompt (Preview's does), so it is sealed like one.
    /// The column must hold JSON, so the envelope is stored as a JSON string.
    public func sealReference(_ reference: JSONValue, jobID: String) throws(PromptAccessError) -> String {
        let envelope = try seal(String(decoding: reference.encoded(), as: UTF8.self), binding: Self.referenceBinding(jobID))
        return String(decoding: JSONValue.string(envelope).encoded(), as: UTF8.self)
    }

    /// The reference as the plugin gave it; a reference that cannot be opened stays as stored
    /// (the runner does not run while the host is locked).
    public func openReference(_ stored: JSONValue?, jobID: String) -> JSONValue? {
        guard case .string(let text)? = stored, PromptEnvelope.looksLikeEnvelope(text),
              // try?: a reference this host cannot open stays sealed; the job then waits for the key (see SubmitAdmission)
              let json = try? open(text, binding: Self.referenceBinding(jobID)) else { return stored }
        return JSONValue.parse(Array(json.utf8)) ?? stored
    }

    public static func referenceBinding(_ jobID: String) -> EnvelopeBinding {
        EnvelopeBinding(record: jobID, field: "job_ref")
    }
}
