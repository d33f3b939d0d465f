import Foundation
import XCTest
import Catalog
@testable import CatalogPostgres

/// The singleton lock on PostgreSQL: one holder among the hosts of one database, and takeover
/// when the holder's session ends (a clean stop, or the server ending a dead host's session).
final class SingletonLockTests: XCTestCase {
    func testOneHostHoldsTheSingletonsUntilItStops() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let a = PostgresSingletonLock(url: url, password: nil, cacheFor: 0)
        let b = PostgresSingletonLock(url: url, password: nil, cacheFor: 0)
        XCTAssertTrue(a.holds())
        XCTAssertFalse(b.holds(), "a second host must wait")
        XCTAssertTrue(a.holds(), "the holder keeps it while its session lives")
        XCTAssertFalse(b.holds())
        a.release()
        XCTAssertTrue(b.holds(), "a clean stop hands the singletons over at once")
        XCTAssertFalse(a.holds())
    }

    func testAHolderWhoseSessionEndedStopsAndAnotherTakesOver() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let a = PostgresSingletonLock(url: url, password: nil, cacheFor: 0)
        let b = PostgresSingletonLock(url: url, password: nil, cacheFor: 0)
        XCTAssertTrue(a.holds())
        // What the server does when a host dies: its session ends and the lock is freed.
        let admin = try PostgresDatabase(url: url, password: nil, location: url)
        let key = PostgresCatalog.LockKey.singletons
        let ended = try admin.query("""
            SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND classid::bigint = $1 AND objid::bigint = $2
            """, [.integer(key >> 32), .integer(key & 0xFFFF_FFFF)])
        XCTAssertEqual(ended.count, 1, "the holder's session was not found in pg_locks")
        let deadline = Date().addingTimeInterval(10)
        while !b.holds() && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(b.holds(), "the lock of an ended session is taken over")
        XCTAssertFalse(a.holds(), "the old holder notices it lost the lock and stops")
    }
}
