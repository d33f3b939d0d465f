/// The small pieces of the Prometheus text exposition format 0.0.4 that need care:
/// escaping and number formatting (see reference/operations.md §1).
package enum PrometheusText {
    /// The `Content-Type` a `/metrics` response must carry (Prometheus 3 refuses a scrape without it).
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Escapes a label value: `\` → `\\`, `"` → `\"`, newline → `\n`.
    package static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Escapes a HELP docstring: `\` → `\\`, newline → `\n`.
    package static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Formats a sample value the way Go's `ParseFloat` reads it: integers without a fraction,
    /// `NaN`, `+Inf`, `-Inf`, and Swift's shortest round-trip form otherwise.
    package static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `{a="x",b="y"}` for the given names and values (empty string when there are none).
    static func labelSet(_ names: [String], _ values: [String], extra: (String, String)? = nil) -> String {
        var pairs = zip(names, values).map { "\($0)=\"\(escapeLabelValue($1))\"" }
        if let extra { pairs.append("\(extra.0)=\"\(escapeLabelValue(extra.1))\"") }
        return pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
    }

    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy { isNameStart($0) || ("0"..."9").contains($0) }
    }

    static func isValidLabelName(_ name: String) -> Bool {
        isValidMetricName(name) && !name.hasPrefix("__")
    }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_"
    }
}
