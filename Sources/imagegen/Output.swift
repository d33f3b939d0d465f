import Foundation
import Host

/// Printing for people (aligned tables) and for programs (`--json`: stable keys, nulls kept).
enum Output {
    static func json<T: Encodable>(_ value: T) {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        // try?: encoding the CLI's own Encodable output types cannot fail
        if let data = try? e.encode(value) {
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }

    static func table(_ header: [String], _ rows: [[String]]) {
        for line in tableLines(header, rows) { print(line) }
    }

    /// The aligned lines of a table (for output that indents or mixes it with other text).
    static func tableLines(_ header: [String], _ rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }

    static func money(_ v: Double?) -> String {
        guard let v else { return "unknown" }
        return String(format: "$%.4f", v)
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("imagegen: \(message)\n".utf8))
    }

    /// Something the operator should know that is not a failure (standard error, so pipes stay clean).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("imagegen: note: \(message)\n".utf8))
    }
}
