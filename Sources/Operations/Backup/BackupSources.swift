import Foundation
import Catalog

/// What goes into a backup, from a host's paths: the catalog (snapshotted, not copied), the config
/// file, the templates folder and the audit log files.
///
/// The image files the snapshot lists (and their sidecars) go to the destination's blob store.
///
/// Not included, on purpose: secrets (the S3 credentials file, keys and the master key: back those
/// up separately, somewhere else — an archive that holds both the ciphertext and its key protects
/// nothing).
package struct BackupSources: Sendable {
    /// The catalog, which snapshots itself (it is never copied as live files).
    package var catalog: any CatalogSnapshotting
    package var dataDirectory: String
    /// nil: the embedded defaults were in use; no config file to save.
    package var configFile: String?
    /// The template library's folder (`templates.folder`, by default `<data>/templates`).
    package var templatesDirectory: String
    /// The upload queue, to check the cloud copy of each image (`--without-images`); nil: no
    /// cloud copy is trusted and every image goes into the backup.
    package var uploads: (any UploadQueueStore)?

    package init(catalog: any CatalogSnapshotting, dataDirectory: String, configFile: String?, templatesDirectory: String? = nil,
                 uploads: (any UploadQueueStore)? = nil) {
        self.catalog = catalog
        self.uploads = uploads
        self.dataDirectory = dataDirectory
        self.configFile = configFile
        self.templatesDirectory = templatesDirectory ?? dataDirectory + "/templates"
    }

    /// Regular files under `<data>/templates`, relative to it, sorted.
    func templateFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: templatesDirectory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if Self.isRegularFile(templatesDirectory + "/" + relative) { files.append(relative) }
        }
        return files.sorted()
    }

    /// `<data>/audit*.log*` (the log and its rotations), sorted.
    /// A data folder that cannot be listed throws: a backup silently without its audit log would
    /// look complete.
    func auditFiles() throws(BackupError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dataDirectory) } catch {
            throw .file(path: dataDirectory, reason: "cannot list it for audit logs (\(error.localizedDescription))")
        }
        return names.filter { $0.hasPrefix("audit") && $0.contains(".log") && Self.isRegularFile(dataDirectory + "/" + $0) }
            .sorted()
    }

    /// A regular file, not a symbolic link (which could point anywhere).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
