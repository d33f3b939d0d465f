import Foundation

/// Locale-independent number formatting shared by the report renderers and suggestions.
enum ReportFormat {
    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }

    /// "0.0400 USD" — four decimals, as per-image prices are fractions of a cent.
    static func usd(_ value: Double) -> String { fixed(value, 4) + " USD" }

    /// A 0–1 ratio as "42.5%".
    static func percent(_ ratio: Double) -> String { fixed(ratio * 100, 1) + "%" }

    static func seconds(_ value: Double) -> String { fixed(value, 1) + " s" }

    static func instant(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
