import Foundation
import CloudStorage

/// Why a backup could not be made. Messages name the file or destination and say what to do.
package enum BackupError: Error, Sendable, CustomStringConvertible {
    case invalidDestination(String, reason: String)
    case catalogSnapshot(String)
    case file(path: String, reason: String)
    case tar(command: String, status: Int32, output: String)
    /// An `s3://` destination without a `storage.s3` section to say where and how to connect.
    case s3NotConfigured(destination: String)
    case s3(S3Error)
    case storageClient(String)

    package var description: String {
        switch self {
        case let .invalidDestination(text, reason):
            return "backup destination \"\(text)\": \(reason)"
        case let .catalogSnapshot(reason):
            return "cannot snapshot the catalog: \(reason)"
        case let .file(path, reason):
            return "backup: \(path): \(reason)"
        case let .tar(command, status, output):
            return "backup: `\(command)` failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .s3NotConfigured(destination):
            return "backup to \(destination) needs the S3 endpoint and region: add a `storage: { s3: { endpoint, region, bucket } }` "
                + "section (credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or storage.s3.credentials_file)"
        case let .s3(error):
            return "backup upload: \(error.description)"
        case let .storageClient(message):
            return "backup upload: \(message)"
        }
    }
}
