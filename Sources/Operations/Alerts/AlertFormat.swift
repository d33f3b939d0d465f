import Foundation

/// Number formatting for alert messages (fixed decimals, locale-independent).
enum AlertFormat {
    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
