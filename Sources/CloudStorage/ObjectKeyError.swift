/// Why an object key could not be built.
package enum ObjectKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidComponent(name: String, value: String)
    case notAContentPath(String)
    case tooLong(bytes: Int)

    package var description: String {
        switch self {
        case let .invalidComponent(name, value):
            return "object key \(name) '\(value)' is empty, contains '/', is '.' or '..', or has control characters"
        case let .notAContentPath(path):
            return "'\(path)' is not a content path of the form <category>/<yyyy>/<mm>/<image_id>.<ext>"
        case let .tooLong(bytes):
            return "object key is \(bytes) bytes, over S3's 1024-byte limit; shorten the key prefix or category"
        }
    }
}
