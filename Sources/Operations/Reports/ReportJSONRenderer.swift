import Foundation

/// The report as JSON (`imagegen report --format json`): stable key order, RFC 3339 instants,
/// costs as JSON numbers (unknown costs are counted, never priced as 0).
package enum ReportJSONRenderer {
    package static func render(_ report: Report) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(report)
    }
}
