import Foundation

/// Where a backup goes: a local folder or an S3 bucket and prefix.
package enum BackupDestination: Sendable, Equatable, CustomStringConvertible {
    case directory(String)
    case s3(bucket: String, prefix: String)

    /// `s3://bucket/prefix` or a path (relative paths are relative to the current folder).
    package init(parsing text: String, dataDirectory: String) throws(BackupError) {
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bucket = parts.first, !bucket.isEmpty else {
                throw .invalidDestination(text, reason: "an S3 destination is s3://BUCKET or s3://BUCKET/PREFIX")
            }
            let prefix = parts.count > 1 ? parts[1].split(separator: "/").joined(separator: "/") : ""
            self = .s3(bucket: String(bucket), prefix: prefix)
        } else if text.contains("://") {
            throw .invalidDestination(text, reason: "only local folders and s3://bucket/prefix are supported")
        } else if text.isEmpty {
            throw .invalidDestination(text, reason: "the destination is empty")
        } else {
            let cwd = FileManager.default.currentDirectoryPath
            self = .directory(text.hasPrefix("/") ? text : cwd + "/" + text)
        }
    }

    /// `<data>/backups`: the default when neither `--to` nor `backup.to` is given.
    package static func defaultDirectory(dataDirectory: String) -> BackupDestination {
        .directory(dataDirectory + "/backups")
    }

    package var description: String {
        switch self {
        case .directory(let path): return path
        case let .s3(bucket, prefix): return "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)")
        }
    }
}
