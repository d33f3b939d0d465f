import Foundation
import Catalog

/// The singletons' host on PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a
/// connection of its own, so the lock lives exactly as long as that session. A host killed
/// with SIGKILL closes its socket, the server ends the session and frees the lock, and the next
/// host to ask takes it. The holder checks each time that its session still has the lock (a
/// dropped connection is reopened without it), so it stops as soon as it could have a rival.
package final class PostgresSingletonLock: SingletonLock, @unchecked Sendable {
    private let url: String
    private let password: String?
    private let key: Int64
    private let lock = NSLock()
    private var db: PostgresDatabase?
    private var held = false
    private var checkedAt = Date.distantPast
    /// Answers within this long reuse the last one (evaluations are nudged after every job).
    private let cacheFor: TimeInterval

    package init(url: String, password: String?, key: Int64 = PostgresCatalog.LockKey.singletons, cacheFor: TimeInterval = 1) {
        self.url = url
        self.password = password
        self.key = key
        self.cacheFor = cacheFor
    }

    package func holds() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if now.timeIntervalSince(checkedAt) < cacheFor { return held }
        checkedAt = now
        do {
            let db = try self.db ?? PostgresDatabase(url: url, password: password, location: url)
            self.db = db
            if held {
                // The session still holding it, not a reconnected one: pg_locks shows a bigint key
                // as classid (high 32 bits) and objid (low 32 bits) with objsubid 1.
                held = try db.query("""
                    SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                                   AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1) AS held
                    """, [.integer(key >> 32), .integer(key & 0xFFFF_FFFF)]).first?["held"]?.int == 1
            }
            if !held {
                held = try db.query("SELECT pg_try_advisory_lock($1) AS got", [.integer(key)]).first?["got"]?.int == 1
            }
        } catch {
            held = false
            db = nil
        }
        return held
    }

    /// Frees the lock at once (a clean stop), so another host takes over without waiting.
    package func release() {
        lock.lock()
        defer { lock.unlock() }
        // Unlocked in the session before it closes: the server ends a closed session
        // asynchronously, so relying on the close alone left the next host refused for a moment.
        if held, let db {
            do { _ = try db.query("SELECT pg_advisory_unlock($1)", [.integer(key)]) } catch {
                // The session is gone or going; its end frees the lock all the same.
            }
        }
        db = nil
        held = false
        checkedAt = .distantPast
    }
}

extension PostgresCatalog: SingletonLockOpening {
    package func openSingletonLock() throws -> any SingletonLock { PostgresSingletonLock(url: url, password: password) }
}
