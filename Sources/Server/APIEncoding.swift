import Foundation
import HTTPServer
import ImagegenCore

/// How the API writes JSON: sorted keys, readable slashes, and dates as ISO 8601 UTC with
/// milliseconds (the same form as the image records' `generated_at`).
enum APIEncoding {
    static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(date.formatted(APIEncoding.dateStyle))
        }
        return encoder
    }

    static func json<Value: Encodable>(_ value: Value, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse.json(value, status: status, encoder: encoder)
    }

    /// Reads a time the way the API accepts it: ISO 8601 (`2025-05-01T12:00:00Z`, fractional
    /// seconds allowed) or seconds since the Unix epoch, within years 0001...9999 (`TimeBounds`):
    /// `since=1e300` is no time, and would trap where it becomes milliseconds.
    static func parseTime(_ text: String) -> Date? {
        guard let date = readTime(text), TimeBounds.contains(date) else { return nil }
        return date
    }

    private static func readTime(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        // try?: each format is tried in turn; nil tells the caller the text is no time, which it reports as a bad request
        if let d = try? Date(text, strategy: dateStyle) { return d }
        // try?: the last format; nil is reported by the caller as a bad request
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
