import Foundation
import CloudStorage
import Crypto

/// Opens a backup (a `.tar.gz` or a folder) into a form that has been proven intact: every file the
/// manifest lists is present, a regular file, of the recorded size and SHA-256, and the manifest
/// itself matches `manifest.sha256`. All damaged parts are reported at once, by name.
package enum BackupVerifier {
    /// A backup folder whose contents match its manifest.
    package struct Verified: Sendable {
        /// The folder holding `manifest.json` and the files.
        package var root: String
        package var manifest: BackupManifest
    }

    /// Verifies `archive`; a `.tar.gz` is first unpacked into `workDirectory` (new or empty).
    package static func open(_ archive: String, workDirectory: String) throws(RestoreError) -> Verified {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: archive, isDirectory: &isDirectory) else {
            throw .archiveNotFound(path: archive)
        }
        if isDirectory.boolValue { return try verify(root: archive, archive: archive) }
        return try unpackAndVerify(archive, workDirectory: workDirectory)
    }

    static func unpackAndVerify(_ archive: String, workDirectory: String) throws(RestoreError) -> Verified {
        let listing: SystemTar.Result
        do { listing = try SystemTar.list(archive) } catch { throw .notABackup(path: archive, reason: error.description) }
        let members = listing.stdout.split(separator: "\n").map(String.init)
        guard let first = members.first else {
            let complaint = firstLine(listing.stderr) ?? "exit status \(listing.status)"
            if listing.status != 0 {
                throw .damaged(archive: archive, parts: [.init(part: "the archive",
                                                               detail: "tar cannot read the compressed file (\(complaint))")])
            }
            throw .notABackup(path: archive, reason: "the archive is empty")
        }
        let top = String(first.split(separator: "/").first ?? "")
        for member in members {
            let components = member.split(separator: "/", omittingEmptySubsequences: true)
            if member.hasPrefix("/") || components.contains("..") || components.first.map(String.init) != top {
                throw .unsafeMember(archive: archive, member: member)
            }
        }
        do { try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true) } catch {
            throw .file(path: workDirectory, reason: "cannot create it (\(error.localizedDescription))")
        }
        let extraction: SystemTar.Result
        do { extraction = try SystemTar.extract(archive, into: workDirectory) } catch {
            throw .notABackup(path: archive, reason: error.description)
        }
        let root = workDirectory + "/" + top
        let verification = Result { () throws(RestoreError) -> Verified in try verify(root: root, archive: archive) }
        guard listing.status != 0 || extraction.status != 0 else { return try verification.get() }
        // tar stopped: name the files whose checksums fail, and where the stream broke.
        let complaint = firstLine(extraction.stderr) ?? firstLine(listing.stderr) ?? "exit status \(extraction.status)"
        let extracted = extraction.stdout.split(separator: "\n").map(String.init)
        let stream = damagedStreamPart(extracted: extracted, listed: members, complaint: complaint)
        if case .failure(.damaged(_, let parts)) = verification {
            throw .damaged(archive: archive, parts: parts + [stream])
        }
        throw .damaged(archive: archive, parts: [stream])
    }

    /// tar and gzip repeat themselves; the first line says what broke.
    static func firstLine(_ text: String) -> String? {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }

    /// The member at which extraction stopped (the last one tar reported, or the first when none).
    static func damagedStreamPart(extracted: [String], listed: [String], complaint: String) -> RestoreError.DamagedPart {
        let stopped = (extracted.last ?? listed.first ?? "the archive")
        let inside = stopped.split(separator: "/").dropFirst().joined(separator: "/")
        return .init(part: inside.isEmpty ? "the archive" : inside,
                     detail: "the compressed archive is corrupt at or after this member (tar: \(complaint))")
    }

    /// Checks the manifest and every file it lists under `root`.
    package static func verify(root: String, archive: String) throws(RestoreError) -> Verified {
        let manifestPath = root + "/" + BackupManifest.fileName
        guard let manifestBytes = FileManager.default.contents(atPath: manifestPath) else {
            throw .notABackup(path: archive, reason: "it has no \(BackupManifest.fileName)")
        }
        if let recorded = FileManager.default.contents(atPath: root + "/" + BackupManifest.checksumFileName) {
            let expected = String(decoding: recorded, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
            let actual = SHA256Digest.of(manifestBytes).hex
            guard expected.lowercased() == actual else {
                throw .damaged(archive: archive, parts: [.init(part: BackupManifest.fileName,
                    detail: "its SHA-256 is \(actual), \(BackupManifest.checksumFileName) says \(expected)")])
            }
        } else {
            throw .damaged(archive: archive, parts: [.init(part: BackupManifest.checksumFileName, detail: "missing")])
        }
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: manifestBytes) } catch {
            throw .damaged(archive: archive, parts: [.init(part: BackupManifest.fileName, detail: "unreadable (\(error))")])
        }
        guard manifest.format == BackupManifest.formatName else {
            throw .notABackup(path: archive, reason: "its manifest's format is \"\(manifest.format)\"")
        }
        guard manifest.formatVersion <= BackupManifest.currentFormatVersion else {
            throw .newerFormat(archive: archive, version: manifest.formatVersion, writer: manifest.imagegenVersion)
        }
        var damaged: [RestoreError.DamagedPart] = []
        for entry in manifest.files {
            let components = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !entry.path.hasPrefix("/"), !components.contains(".."), !components.contains(""), !components.contains(".") else {
                throw .unsafeMember(archive: archive, member: entry.path)
            }
            let path = root + "/" + entry.path
            guard BackupSources.isRegularFile(path) else {
                damaged.append(.init(part: entry.path, detail: FileManager.default.fileExists(atPath: path)
                                     ? "not a regular file" : "missing"))
                continue
            }
            let digest: LocalFileDigest
            do { digest = try LocalFileDigest.compute(fileAt: path) } catch {
                damaged.append(.init(part: entry.path, detail: "unreadable (\(error.description))"))
                continue
            }
            if digest.size != entry.size {
                damaged.append(.init(part: entry.path, detail: "\(digest.size) bytes, the manifest says \(entry.size)"))
            } else if digest.sha256.hex != entry.sha256.lowercased() {
                damaged.append(.init(part: entry.path, detail: "SHA-256 \(digest.sha256.hex) differs from the manifest's \(entry.sha256)"))
            }
        }
        // Image files land in the data folder under `content/`, nowhere else.
        for entry in manifest.images ?? [] {
            let components = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            guard components.first == "content", components.count > 1, !components.contains(".."), !components.contains(""),
                  !components.contains("."), SHA256Digest(hex: entry.sha256.lowercased()) != nil else {
                throw .unsafeMember(archive: archive, member: entry.path)
            }
        }
        if !manifest.files.contains(where: { $0.role == .catalog }) {
            damaged.append(.init(part: "catalog.sqlite", detail: "the manifest lists no catalog"))
        }
        guard damaged.isEmpty else { throw .damaged(archive: archive, parts: damaged) }
        return Verified(root: root, manifest: manifest)
    }
}
