import XCTest
import Synchronization
@testable import Host
@testable import Catalog
@testable import Security

/// A clock the test moves by hand.
final class QuotaTestClock: Sendable {
    private let current: Mutex<Date>
    init(_ iso: String) { current = Mutex(try! Date(iso, strategy: .iso8601)) }
    var now: @Sendable () -> Date { { self.current.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// An in-memory stand-in for the catalog's persistence of daily counts.
final class QuotaTestStore: QuotaUsageStore {
    let saved = Mutex<[String: [QuotaScope: Int]]>([:])
    func dailyImageCounts(day: String) -> [QuotaScope: Int] { saved.withLock { $0[day] ?? [:] } }
    func saveDailyImageCount(_ count: Int, scope: QuotaScope, day: String) {
        saved.withLock { $0[day, default: [:]][scope] = count }
    }
}

/// A store that fails while `failing` is set, as a catalog on a full or locked disk would.
final class FailingQuotaTestStore: QuotaUsageStore {
    struct Failure: Error {}
    let inner = QuotaTestStore()
    let failing = Mutex(true)
    func dailyImageCounts(day: String) throws -> [QuotaScope: Int] {
        if failing.withLock({ $0 }) { throw Failure() }
        return inner.dailyImageCounts(day: day)
    }
    func saveDailyImageCount(_ count: Int, scope: QuotaScope, day: String) throws {
        if failing.withLock({ $0 }) { throw Failure() }
        inner.saveDailyImageCount(count, scope: scope, day: day)
    }
}

final class QuotaEnforcerTests: XCTestCase {
    private let configuration = QuotaConfiguration(
        providers: ["replicate": .init(imagesPerDay: 10, requestsPerMinute: 3)],
        apiTokens: ["analytics": .init(imagesPerDay: 4)])

    func testRequestsPerMinuteSlidingWindowWithResetTime() throws {
        let clock = QuotaTestClock("2026-03-01T12:00:00Z")
        let quotas = QuotaEnforcer(configuration: configuration, now: clock.now)
        for _ in 0..<3 {
            _ = try quotas.admit(provider: "replicate", images: 1)
            clock.advance(10)
        }
        // t = 30 s: the 4th request in the minute is refused until the first leaves the window.
        XCTAssertThrowsError(try quotas.admit(provider: "replicate", images: 1)) { error in
            let refusal = error as! QuotaExceeded
            XCTAssertEqual(refusal.limit, QuotaLimit(scope: .provider("replicate"), kind: .requestsPerMinute, value: 3))
            XCTAssertEqual(refusal.used, 3)
            XCTAssertEqual(refusal.resetsAtText, "2026-03-01T12:01:00Z")
            XCTAssertEqual(refusal.retryAfterSeconds, 30)
            XCTAssertEqual("\(refusal)",
                           "quota exceeded: provider 'replicate' allows 3 requests per minute (3 requests in the last minute); resets at 2026-03-01T12:01:00Z, retry in 30 s")
        }
        clock.advance(30)  // t = 60 s: the request at t = 0 has left the window
        XCTAssertNoThrow(try quotas.admit(provider: "replicate", images: 1))
        XCTAssertThrowsError(try quotas.admit(provider: "replicate", images: 1))  // t=10,20,60 in window
    }

    func testImagesPerDayRefusalNamesLimitAndMidnightReset() throws {
        let clock = QuotaTestClock("2026-03-01T22:30:00Z")
        let quotas = QuotaEnforcer(configuration: configuration, now: clock.now)
        _ = try quotas.admit(provider: "replicate", images: 4)
        clock.advance(61)
        _ = try quotas.admit(provider: "replicate", images: 4)
        clock.advance(61)
        XCTAssertThrowsError(try quotas.admit(provider: "replicate", images: 3)) { error in
            let refusal = error as! QuotaExceeded
            XCTAssertEqual(refusal.limit.kind, .imagesPerDay)
            XCTAssertEqual(refusal.limit.value, 10)
            XCTAssertEqual(refusal.used, 8)
            XCTAssertEqual(refusal.requested, 3)
            XCTAssertEqual(refusal.resetsAtText, "2026-03-02T00:00:00Z")
            XCTAssertTrue("\(refusal)".contains("provider 'replicate' allows 10 images per day"))
        }
        XCTAssertNoThrow(try quotas.admit(provider: "replicate", images: 2))  // exactly at the limit
        clock.advance(2 * 3600)  // next day
        XCTAssertNoThrow(try quotas.admit(provider: "replicate", images: 10))
    }

    func testTokenLimitAppliesAcrossProvidersAndRefusalCountsNothing() throws {
        let clock = QuotaTestClock("2026-03-01T08:00:00Z")
        let quotas = QuotaEnforcer(configuration: configuration, now: clock.now)
        _ = try quotas.admit(provider: "replicate", apiToken: "analytics", images: 3)
        XCTAssertThrowsError(try quotas.admit(provider: "stabilityai", apiToken: "analytics", images: 2)) { error in
            XCTAssertEqual((error as! QuotaExceeded).limit.scope, .apiToken("analytics"))
        }
        XCTAssertEqual(quotas.usage(of: .provider("stabilityai")).imagesToday, 0)
        XCTAssertEqual(quotas.usage(of: .apiToken("analytics")).imagesToday, 3)
        XCTAssertNoThrow(try quotas.admit(provider: "stabilityai", apiToken: "other", images: 50))  // unlimited
    }

    func testWhenSeveralLimitsRefuseTheLatestResetIsReported() throws {
        let clock = QuotaTestClock("2026-03-01T08:00:00Z")
        let quotas = QuotaEnforcer(configuration: QuotaConfiguration(
            providers: ["p": .init(imagesPerDay: 1, requestsPerMinute: 1)]), now: clock.now)
        _ = try quotas.admit(provider: "p", images: 1)
        XCTAssertThrowsError(try quotas.admit(provider: "p", images: 1)) { error in
            XCTAssertEqual((error as! QuotaExceeded).limit.kind, .imagesPerDay)
        }
    }

    func testSettleReturnsUnusedImages() throws {
        let clock = QuotaTestClock("2026-03-01T08:00:00Z")
        let quotas = QuotaEnforcer(configuration: configuration, now: clock.now)
        let grant = try quotas.admit(provider: "replicate", images: 8)
        quotas.settle(grant, deliveredImages: 2)
        XCTAssertEqual(quotas.usage(of: .provider("replicate")).imagesToday, 2)
        clock.advance(61)
        XCTAssertNoThrow(try quotas.admit(provider: "replicate", images: 8))
    }

    func testDailyCountsPersistThroughTheStore() throws {
        let clock = QuotaTestClock("2026-03-01T08:00:00Z")
        let store = QuotaTestStore()
        _ = try QuotaEnforcer(configuration: configuration, store: store, now: clock.now)
            .admit(provider: "replicate", images: 9)
        XCTAssertEqual(store.dailyImageCounts(day: "2026-03-01")[.provider("replicate")], 9)
        // A restarted host picks up today's count.
        let restarted = QuotaEnforcer(configuration: configuration, store: store, now: clock.now)
        XCTAssertThrowsError(try restarted.admit(provider: "replicate", images: 2))
        XCTAssertNoThrow(try restarted.admit(provider: "replicate", images: 1))
    }

    func testAStoreThatFailsIsLoggedAndReadAgainOnceItWorks() throws {
        let clock = QuotaTestClock("2026-03-01T08:00:00Z")
        let store = FailingQuotaTestStore()
        store.inner.saveDailyImageCount(6, scope: .provider("replicate"), day: "2026-03-01")
        let (log, lines) = TestEnvironment.capturingLog()
        let quotas = QuotaEnforcer(configuration: configuration, store: store, log: log, now: clock.now)
        _ = try quotas.admit(provider: "replicate", images: 2)
        XCTAssertTrue(lines.lines.contains { $0.contains("could not read the daily image counts of 2026-03-01") }, "\(lines.lines)")
        XCTAssertTrue(lines.lines.contains { $0.contains("could not save 2 images for provider 'replicate'") }, "\(lines.lines)")
        // Once the store answers, its count is taken (it exceeds the 2 counted here) and the
        // next change is saved.
        store.failing.withLock { $0 = false }
        _ = try quotas.admit(provider: "replicate", images: 1)
        XCTAssertEqual(quotas.usage(of: .provider("replicate")).imagesToday, 7)
        XCTAssertEqual(store.inner.dailyImageCounts(day: "2026-03-01")[.provider("replicate")], 7)
        XCTAssertThrowsError(try quotas.admit(provider: "replicate", images: 4))
    }

    func testConfigurationDecodesAndRejectsNegativeLimits() throws {
        let json = #"{"providers": {"replicate": {"images_per_day": 5}}, "api_tokens": {"ci": {"requests_per_minute": 2}}}"#
        let decoded = try JSONDecoder().decode(QuotaConfiguration.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.providers["replicate"], .init(imagesPerDay: 5))
        XCTAssertEqual(decoded.apiTokens["ci"], .init(requestsPerMinute: 2))
        XCTAssertThrowsError(try JSONDecoder().decode(QuotaConfiguration.self,
                                                      from: Data(#"{"providers": {"x": {"images_per_day": -1}}}"#.utf8)))
        XCTAssertEqual(QuotaScope(storageKey: QuotaScope.apiToken("a:b").storageKey), .apiToken("a:b"))
    }

    func testDayBoundaryFollowsConfiguredTimeZone() throws {
        let clock = QuotaTestClock("2026-03-01T22:30:00Z")  // 23:30 in Paris
        let quotas = QuotaEnforcer(configuration: QuotaConfiguration(providers: ["p": .init(imagesPerDay: 1)]),
                                   timeZone: TimeZone(identifier: "Europe/Paris")!, now: clock.now)
        _ = try quotas.admit(provider: "p", images: 1)
        XCTAssertThrowsError(try quotas.admit(provider: "p", images: 1)) { error in
            XCTAssertEqual((error as! QuotaExceeded).resetsAtText, "2026-03-01T23:00:00Z")
        }
    }
}
