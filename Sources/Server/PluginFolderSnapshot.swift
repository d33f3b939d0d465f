import Glibc

/// What the plugins folder looks like to `stat`: each visible `.so` with its size, change
/// time and inode. Cheap enough to take every 250 ms; the watcher only reads and hashes files
/// (`PluginSet.rescan`) when a snapshot differs from the last one applied.
struct PluginFolderSnapshot: Sendable, Equatable {
    struct Stamp: Sendable, Equatable {
        var size: Int64
        /// Modification time, nanoseconds since the epoch.
        var modified: Int64
        /// A file replaced by rename (the safe way to drop a plugin in) has a new inode.
        var inode: UInt64
    }

    var files: [String: Stamp]

    /// The same rule as `PluginSet.listFiles`: `*.so`, hidden files (a copy in progress named
    /// `.x.so`) ignored.
    static func take(_ directory: String) -> PluginFolderSnapshot {
        var files: [String: Stamp] = [:]
        guard let dir = opendir(directory) else { return PluginFolderSnapshot(files: [:]) }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name.hasSuffix(".so"), !name.hasPrefix(".") else { continue }
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            files[name] = Stamp(size: Int64(info.st_size),
                                modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                                inode: UInt64(info.st_ino))
        }
        return PluginFolderSnapshot(files: files)
    }

    /// The most recent modification, to tell whether every file has settled.
    var newestModification: Int64? { files.values.map(\.modified).max() }
}
