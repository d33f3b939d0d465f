import Foundation
import Host
import Catalog
import Crypto
import Operations
import Pipeline
import Security

/// `imagegen keys status`, `keys generate [--file F] [--add]`, `keys rotate [--batch N]`: the
/// master key that encrypts prompts and signs the audit log (docs/security.md §3).
struct KeysCommand: Command {
    static let name = "keys"
    static let summary = "master key: `status`, `generate [--file F] [--add]`, `rotate [--batch N]` (re-encrypt under the current key)"
    static let options: Set<String> = ["file", "batch"]
    static let flags: Set<String> = ["add"]
    static func createsDataFolder(_ positionals: [String]) -> Bool { ["generate", "rotate"].contains(positionals.first ?? "") }

    struct Status: Codable {
        var source: String?
        var locked: String?
        var currentKey: String?
        var previousKeys: [String]
        var search: String
        var envelopes: [String: Int]
        var plaintextRows: Int
        var pendingImages: Int?
        var pendingJobs: Int?
        var auditLog: String
        var auditRecording: Bool
        enum CodingKeys: String, CodingKey {
            case source, locked, search, envelopes
            case currentKey = "current_key", previousKeys = "previous_keys", plaintextRows = "plaintext_rows"
            case pendingImages = "pending_images", pendingJobs = "pending_jobs", auditLog = "audit_log"
            case auditRecording = "audit_recording"
        }
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        switch args.positionals.first {
        case nil, "status": return try status(args, context)
        case "generate": return try generate(args, context)
        case "rotate": return try rotate(args, context)
        case let other?:
            throw .usage("unknown keys action \"\(other)\": use status, generate [--file F] [--add] or rotate [--batch N]")
        }
    }

    private func status(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let security = try context.security()
        let catalog = try context.catalog()
        let census = try context.catalogCall { try catalog.promptKeyCensus() }
        let envelopes = census.byKey
        let plaintext = census.plaintext
        var pending: (images: Int, jobs: Int)?
        if security.prompts.canRead {
            pending = try context.catalogCall {
                try KeyRotation(catalog: catalog, content: ContentStore(dataDirectory: context.paths.data, prompts: security.prompts),
                                protection: security.prompts).pending()
            }
        }
        let status = Status(source: security.keySource, locked: security.prompts.lockedReason,
                            currentKey: security.keyRing?.current.id.rawValue,
                            previousKeys: security.keyRing?.previous.map(\.id.rawValue) ?? [],
                            search: security.settings.search.rawValue, envelopes: envelopes, plaintextRows: plaintext,
                            pendingImages: pending?.images, pendingJobs: pending?.jobs,
                            auditLog: security.audit.path, auditRecording: security.audit.isRecording)
        if args.json { Output.json(status); return .success }
        if let locked = status.locked { print("locked: \(locked)") }
        print("key source:    \(status.source ?? "none")")
        print("current key:   \(status.currentKey ?? "-")")
        print("previous keys: \(status.previousKeys.isEmpty ? "-" : status.previousKeys.joined(separator: ", "))")
        print("search:        \(status.search)")
        print("stored prompts by key: " + (envelopes.isEmpty ? "none" : envelopes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
              + (plaintext > 0 ? "; \(plaintext) row(s) in plaintext (run `imagegen keys rotate`)" : ""))
        if let pending { print("pending rotation: \(pending.images) image(s), \(pending.jobs) job(s)") }
        print("audit log:     \(status.auditLog)\(status.auditRecording ? "" : " (not recording)")")
        return .success
    }

    private func generate(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        if args.flags.contains("add") {
            let security = try context.security()
            let environment = ProcessInfo.processInfo.environment
            guard let path = args.string("file") ?? security.settings.keyFile
                    ?? environment[KeyRingLoader.keyFileVariable].flatMap({ $0.isEmpty ? nil : $0 })
                    ?? (security.keySource?.hasSuffix("(in the data folder)") == true
                        ? MasterKeyResolution.dataKeyPath(dataDirectory: context.paths.data) : nil) else {
                throw .usage("the master key comes from \(KeyRingLoader.keyVariable): generate a new key with `imagegen keys generate`, "
                             + "set it as \(KeyRingLoader.keyVariable), put the old one in \(KeyRingLoader.previousKeysVariable), "
                             + "then run `imagegen keys rotate`")
            }
            let key: MasterKey
            do { key = try MasterKeyResolution.addKey(toKeyFile: path) } catch { throw .failed("\(error)", .failure) }
            security.audit.record(.keyGeneration, subject: key.id.rawValue, details: ["file": path, "role": "current"])
            if !args.json {
                print("added key \(key.id) as the current key of \(path); the previous keys stay in the file.")
                print("next: `imagegen keys rotate` re-encrypts every stored prompt under \(key.id).")
            } else {
                Output.json(["key_id": key.id.rawValue, "file": path])
            }
            return .success
        }
        if let path = args.string("file") {
            let key: MasterKey
            do { key = try MasterKeyResolution.generateKeyFile(at: path) } catch { throw .failed("\(error)", .failure) }
            if args.json { Output.json(["key_id": key.id.rawValue, "file": path]) } else {
                print("wrote key \(key.id) to \(path) (mode 0600); point encryption.key_file or \(KeyRingLoader.keyFileVariable) at it")
            }
            return .success
        }
        let key = MasterKey.generate()
        Output.error("a new master key (id \(key.id)) follows on stdout; store it in a secret manager or a 0600 file, never in the config")
        print(key.exportBase64())
        return .success
    }

    private func rotate(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let security = try context.security()
        let catalog = try context.catalog()
        guard let ring = security.keyRing else {
            throw .failed("cannot rotate: \(PromptAccessError.locked(reason: security.prompts.lockedReason ?? "no key"))", .failure)
        }
        let batch = try args.int("batch") ?? 500
        guard batch > 0 else { throw .usage("--batch must be at least 1") }
        let rotation: KeyRotation
        do {
            rotation = try KeyRotation(catalog: catalog, content: ContentStore(dataDirectory: context.paths.data, prompts: security.prompts),
                                       protection: security.prompts, batchSize: batch)
        } catch { throw .failed("\(error)", .failure) }
        let previous = ring.previous.map(\.id.rawValue).joined(separator: ",")
        security.audit.record(.keyRotation, subject: ring.current.id.rawValue, details: ["phase": "started", "previous": previous])
        let tty = isatty(STDERR_FILENO) == 1 && !args.json
        let report: KeyRotation.Report
        do {
            report = try rotation.run { progress in
                guard tty else { return }
                FileHandle.standardError.write(Data("\r\u{1B}[Kre-encrypted \(progress.images) image(s), \(progress.jobs) job(s)".utf8))
            }
        } catch {
            throw .failed("rotation stopped: \(error); everything done so far is committed, run `imagegen keys rotate` again", .failure)
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        security.audit.record(.keyRotation, subject: ring.current.id.rawValue, details: [
            "phase": report.failures.isEmpty ? "finished" : "finished with failures", "previous": previous,
            "images": String(report.images), "jobs": String(report.jobs), "sidecars": String(report.sidecars),
            "failures": String(report.failures.count)])
        if args.json { Output.json(report) } else {
            print("re-encrypted under \(ring.current.id): \(report.images) image(s) (\(report.sidecars) sidecar(s)), \(report.jobs) job(s); "
                  + "\(report.indexedImages) image(s) re-indexed")
            if report.missingSidecars > 0 { print("\(report.missingSidecars) image(s) have no sidecar file") }
            if report.failures.isEmpty {
                if !ring.previous.isEmpty {
                    print("every stored prompt is under \(ring.current.id). Previous key(s) \(previous) are no longer needed for prompts; "
                          + "keep them while audit entries they signed must stay verifiable (`imagegen audit verify`).")
                }
            }
        }
        for failure in report.failures { Output.error(failure) }
        return report.failures.isEmpty ? .success : .failure
    }
}
