import Foundation

/// Ids for jobs, batches, images and every other catalog record.
package enum RecordID {
    /// Time-ordered, unguessable ids: prefix + milliseconds (base 36) + 64 random bits. Time
    /// order keeps catalog indexes append-mostly; the random part makes ids safe to show.
    package static func make(_ prefix: String) -> String {
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        let time = String(ms, radix: 36)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "\(prefix)_\(String(repeating: "0", count: max(0, 9 - time.count)))\(time)\(String(repeating: "0", count: max(0, 13 - random.count)))\(random)"
    }
}
