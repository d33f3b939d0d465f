import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import DurableFiles
import ImagegenCore

/// Where the host's master key comes from, decided once at start.
///
/// 1. An explicit key — `IMAGEGEN_MASTER_KEY`, `IMAGEGEN_MASTER_KEY_FILE` or `encryption.key_file`
///    — is used as configured. Unusable (bad encoding, loose file mode, wrong owner) refuses to
///    start; a configured key file that does not exist leaves the host *locked* (it lists
///    everything but reads and writes no prompt).
/// 2. Nothing configured: the data folder's own key, `<data>/keys/master.key` (mode 0600, folder
///    0700). On first use it is generated, so prompts are encrypted and the audit log signed
///    from the first run on, the way Jenkins' `secrets/master.key` or Rails' `master.key` work.
///    It is never generated over data that a key already protected (a deleted key file must
///    not silently start a second key): then the host is locked until the key is restored.
package enum MasterKeyResolution: Sendable {
    case keyed(KeyRing, source: String)
    case locked(reason: String)

    package static let dataKeyFolder = "keys"
    package static let dataKeyName = "master.key"

    package static func dataKeyPath(dataDirectory: String) -> String {
        dataDirectory + "/" + dataKeyFolder + "/" + dataKeyName
    }

    /// `protectedDataExists` is asked only before generating a key: does anything in the data
    /// folder already depend on a key (encrypted rows, a signed audit log)?
    static func resolve(environment: [String: String], configuredKeyFile: String?, dataDirectory: String,
                        protectedDataExists: () -> String?, log: Log) throws -> MasterKeyResolution {
        let explicit = configuredKeyFile != nil
            || !(environment[KeyRingLoader.keyVariable] ?? "").isEmpty
            || !(environment[KeyRingLoader.keyFileVariable] ?? "").isEmpty
        if explicit {
            do {
                guard let ring = try KeyRingLoader.load(environment: environment, keyFile: configuredKeyFile) else {
                    return .locked(reason: "no master key is configured")
                }
                let source = configuredKeyFile.map { "key file \($0)" }
                    ?? environment[KeyRingLoader.keyFileVariable].flatMap { $0.isEmpty ? nil : "key file \($0) (\(KeyRingLoader.keyFileVariable))" }
                    ?? KeyRingLoader.keyVariable
                return .keyed(ring, source: source)
            } catch MasterKeyError.keyFile(.notFound(let path, _)) {
                return .locked(reason: "the configured key file \(path) does not exist; restore it (mode 0600) to read and write prompts")
            }
        }
        let path = dataKeyPath(dataDirectory: dataDirectory)
        if !FileManager.default.fileExists(atPath: path) {
            if let protected = protectedDataExists() {
                return .locked(reason: "the data folder's key \(path) is missing, but \(protected); restore the key file "
                               + "(or set \(KeyRingLoader.keyVariable) / encryption.key_file to the key that protected it)")
            }
            do {
                let key = try generateKeyFile(at: path)
                log.warning("generated a master key for this data folder at \(path) (key \(key.id)): prompts are encrypted "
                        + "and the audit log is signed with it. Back it up apart from the data folder; for production keep "
                        + "it outside (encryption.key_file or \(KeyRingLoader.keyVariable)).", source: "security")
            } catch {
                // Another process generated it first: use theirs.
                guard FileManager.default.fileExists(atPath: path) else { throw error }
            }
        }
        let ring = try KeyRingLoader.loadFile(path)
        return .keyed(ring, source: "key file \(path) (in the data folder)")
    }

    /// Writes a new random key to `path` (mode 0600, its folder 0700) without ever replacing an
    /// existing file: the key goes to a temporary file that is then hard-linked into place, so
    /// two processes starting at once end up with the same key (the loser reads the winner's).
    @discardableResult
    package static func generateKeyFile(at path: String, comment: String? = nil) throws(MasterKeyError) -> MasterKey {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .keyFile(.unreadable(path: path, purpose: "key file", reason: "cannot create \(folder): \(error.localizedDescription)"))
        }
        let key = MasterKey.generate()
        var text = "# imagegen master key \(key.id), generated \(Date().formatted(Date.ISO8601FormatStyle()))\n"
        if let comment { text += "# \(comment)\n" }
        text += key.exportBase64() + "\n"
        try writeNew(Array(text.utf8), to: path)
        return key
    }

    /// Creates `path` with `bytes`, mode 0600, failing if it already exists.
    static func writeNew(_ bytes: [UInt8], to path: String) throws(MasterKeyError) {
        var bytes = bytes
        defer { SodiumRuntime.wipe(&bytes) }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .keyFile(.unreadable(path: path, purpose: "key file", reason: String(cString: strerror(errno))))
        }
        defer { unlink(temporary) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .keyFile(.unreadable(path: path, purpose: "key file", reason: reason))
            }
            written += n
        }
        fsync(fd)
        close(fd)
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { throw .keyFile(.unreadable(path: path, purpose: "key file", reason: "it already exists; it was not replaced")) }
            throw .keyFile(.unreadable(path: path, purpose: "key file", reason: String(cString: strerror(code))))
        }
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}

extension MasterKeyResolution {
    /// Puts a new random key at the top of an existing key file, so it becomes current and the
    /// file's keys become previous (step 1 of a rotation). The file is replaced atomically (a
    /// 0600 temporary file renamed over it) and must pass the same checks as when it is loaded.
    package static func addKey(toKeyFile path: String) throws -> MasterKey {
        var old: [UInt8]
        do {
            old = try OwnerOnlyFile.contents(of: path, purpose: "key file")
        } catch {
            throw MasterKeyError.keyFile(error)
        }
        defer { SodiumRuntime.wipe(&old) }
        _ = try KeyRingLoader.loadFile(path)  // the file as it is must be a valid ring
        let key = MasterKey.generate()
        var text = Array("# imagegen master key \(key.id), added \(Date().formatted(Date.ISO8601FormatStyle())) (current; the keys below are previous)\n\(key.exportBase64())\n".utf8)
        text += old
        let staged = path + ".new"
        unlink(staged)
        try writeNew(text, to: staged)
        SodiumRuntime.wipe(&text)
        guard rename(staged, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(staged)
            throw MasterKeyError.keyFile(.unreadable(path: path, purpose: "key file", reason: "cannot replace it: \(reason)"))
        }
        return key
    }
}
