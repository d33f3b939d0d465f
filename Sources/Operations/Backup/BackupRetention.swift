import Foundation

/// Which backups to keep: the newest of each of the last `keepDaily` days that have a backup, and
/// the newest of each of the last `keepWeekly` ISO weeks (UTC). Everything else is pruned.
///
/// Counting days *with* a backup (not calendar days) means a host that was down for a week still
/// keeps `keepDaily` restorable points. With both counts 0 retention is off and nothing is pruned.
package struct BackupRetention: Sendable, Equatable {
    package var keepDaily: Int
    package var keepWeekly: Int

    package init(keepDaily: Int, keepWeekly: Int) {
        self.keepDaily = max(0, keepDaily)
        self.keepWeekly = max(0, keepWeekly)
    }

    /// The backups to delete, oldest first.
    package func prunable(_ backups: [BackupArchiveName]) -> [BackupArchiveName] {
        guard keepDaily > 0 || keepWeekly > 0 else { return [] }
        let kept = keep(backups)
        return backups.filter { !kept.contains($0) }.sorted()
    }

    package func keep(_ backups: [BackupArchiveName]) -> Set<BackupArchiveName> {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let newestFirst = backups.sorted { $0 > $1 }
        var kept = Set<BackupArchiveName>()
        var days: [DateComponents] = []
        var weeks: [DateComponents] = []
        for backup in newestFirst {
            let day = calendar.dateComponents([.year, .month, .day], from: backup.createdAt)
            if !days.contains(day) && days.count < keepDaily {
                days.append(day)
                kept.insert(backup)
            }
            let week = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: backup.createdAt)
            if !weeks.contains(week) && weeks.count < keepWeekly {
                weeks.append(week)
                kept.insert(backup)
            }
        }
        return kept
    }
}
