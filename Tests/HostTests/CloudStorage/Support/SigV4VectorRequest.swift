import Foundation
@testable import Host
@testable import CloudStorage

/// Parses the raw request files of the AWS SigV4 test suites (`.req`, `request.txt`).
///
/// Suite quirks handled here: no trailing newline, `Name:value` without a space, folded header lines
/// (continuation lines start with whitespace), raw UTF-8 and even a literal space in the request
/// target, and query strings that are *not* percent-encoded.
struct SigV4VectorRequest {
    var request: SigV4Request
    var body: Data

    init(text: String) {
        let (head, body) = Self.splitHeadAndBody(text)
        var lines = head.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if let range = target.range(of: " HTTP/", options: .backwards) {
            target = String(target[..<range.lowerBound])
        }
        var path = target
        var query: [QueryParameter] = []
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            let rawQuery = target[target.index(after: mark)...]
            for pair in rawQuery.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append(QueryParameter(String(parts[0]), parts.count > 1 ? String(parts[1]) : ""))
            }
        }
        var headers: [HTTPHeaderField] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(HTTPHeaderField(String(line[..<colon]),
                                           String(line[line.index(after: colon)...])))
        }
        request = SigV4Request(method: method, path: path, query: query, headers: headers)
        self.body = Data(body.utf8)
    }

    private static func splitHeadAndBody(_ text: String) -> (String, String) {
        if let range = text.range(of: "\n\n") {
            return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
        }
        return (text, "")
    }
}

/// Locates the copied vector files in the source tree (Tests/HostTests/CloudStorage/Vectors, excluded
/// from the target in Package.swift like the other fixtures).
enum SigV4Vectors {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors")
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func date(iso8601 text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    /// `20150830T123600Z` → Date.
    static func date(amz text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)!
    }
}
