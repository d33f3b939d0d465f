import Foundation

/// An S3 object key that mirrors the local image hierarchy:
/// `<prefix>/<category>/<yyyy>/<mm>/<image_id>.<ext>` for `content/<category>/<yyyy>/<mm>/<image_id>.<ext>`.
///
/// Mirroring keeps a bucket browsable by the same paths an operator knows, and makes a restore a plain
/// path mapping. Components must be single path segments (no `/`, `.` or `..`), so a hostile category
/// or id cannot climb out of the prefix.
package struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    package let rawValue: String

    package static let maximumBytes = 1024

    /// Builds the key from the image's fields. Year and month are taken in UTC from `createdAt`.
    package init(prefix: String, category: String, createdAt: Date, imageID: String, fileExtension: String)
        throws(ObjectKeyError) {
        try Self.check("category", category)
        try Self.check("image id", imageID)
        try Self.check("file extension", fileExtension)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: createdAt)
        let year = String(format: "%04d", parts.year ?? 0)
        let month = String(format: "%02d", parts.month ?? 0)
        try self.init(prefix: prefix, relative: [category, year, month, "\(imageID).\(fileExtension)"])
    }

    /// Mirrors a path relative to the content root, e.g. `portraits/2026/11/abc123.png`.
    /// Use this when the local path exists, so the key matches it exactly whatever produced it.
    package init(prefix: String, contentRelativePath path: String) throws(ObjectKeyError) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard segments.count == 4,
              segments[1].count == 4, segments[1].allSatisfy(\.isASCIIDigit),
              segments[2].count == 2, segments[2].allSatisfy(\.isASCIIDigit),
              segments[3].contains(".")
        else { throw .notAContentPath(path) }
        for (name, value) in zip(["category", "year", "month", "file name"], segments) {
            try Self.check(name, value)
        }
        try self.init(prefix: prefix, relative: segments)
    }

    private init(prefix: String, relative: [String]) throws(ObjectKeyError) {
        let prefixSegments = prefix.split(separator: "/").map(String.init)
        for segment in prefixSegments { try Self.check("prefix segment", segment) }
        let key = (prefixSegments + relative).joined(separator: "/")
        guard key.utf8.count <= Self.maximumBytes else { throw .tooLong(bytes: key.utf8.count) }
        rawValue = key
    }

    package var description: String { rawValue }

    private static func check(_ name: String, _ value: String) throws(ObjectKeyError) {
        guard !value.isEmpty, value != ".", value != "..", !value.contains("/"),
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .invalidComponent(name: name, value: value) }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
