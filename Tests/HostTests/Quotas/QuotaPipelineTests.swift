import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Security

/// Quotas through the host: per provider (checked when queued, counted when sent, failing over
/// to another provider), per API token (counted when queued), daily counts kept in the catalog
/// across restarts, and refusals that say which limit, its value and when it resets.
final class QuotaPipelineTests: XCTestCase {
    let size = ["--width", "64", "--height", "64"]

    static func tomorrowUTC() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let midnight = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: Date()))!
        return midnight.formatted(Date.ISO8601FormatStyle())
    }

    func testDailyProviderQuotaRefusesWithLimitValueAndResetAcrossRestarts() throws {
        let host = try TestHost(label: "quota-daily", config: "{ quotas: { providers: { preview: { images_per_day: 2 } } } }")
        try host.run(["generate", "--prompt", "a plum", "--variations", "2"] + size)
        // Every CLI run is a new process: the count comes back from the catalog.
        let refused = try host.run(["generate", "--prompt", "a pear"] + size, expect: 3)
        XCTAssertTrue(refused.stderr.contains("quota exceeded: provider 'preview' allows 2 images per day (2 images used today, this request needs 1)"),
                      refused.stderr)
        XCTAssertTrue(refused.stderr.contains("resets at \(Self.tomorrowUTC())"), refused.stderr)
        XCTAssertEqual(try host.jobCount(), 2, "nothing queued")
        let entry = try XCTUnwrap(try host.auditEntries().last { $0.action == .quotaRefusal })
        XCTAssertEqual(entry.subject, "provider:preview")
        XCTAssertEqual(entry.details["limit"], "images_per_day")
        XCTAssertEqual(entry.details["value"], "2")
        XCTAssertEqual(entry.details["resets_at"], Self.tomorrowUTC())
        let stored = try host.rawCatalog().database.query("SELECT scope, images FROM quota_daily")
        XCTAssertEqual(stored.first?["scope"]?.string, "provider:preview")
        XCTAssertEqual(stored.first?["images"]?.int, 2)
    }

    func testRequestsPerMinuteAndTokenQuotasInOneHost() async throws {
        let host = try TestHost(label: "quota-rpm", config: """
            { quotas: { providers: { preview: { requests_per_minute: 2 } }, api_tokens: { analytics: { images_per_day: 1 } } } }
            """)
        let generator = try host.generator()
        let params = GenerationParameters(width: 64, height: 64)
        // An API token's daily images, counted when queued; the CLI (no token) is not bound by it.
        let analytics = Caller(apiToken: "analytics")
        _ = try await Caller.$current.withValue(analytics) { try await generator.generateCustom(prompt: "a fig", parameters: params) }
        do {
            _ = try await Caller.$current.withValue(analytics) { try await generator.submit(GenerationRequest(prompt: "a date", width: 64, height: 64)) }
            XCTFail("the token's quota should refuse")
        } catch let refusal as QuotaExceeded {
            XCTAssertEqual(refusal.limit.scope, .apiToken("analytics"))
            XCTAssertTrue(refusal.description.contains("API token 'analytics' allows 1 images per day"), refusal.description)
            XCTAssertEqual(refusal.resetsAtText, Self.tomorrowUTC())
        }
        _ = try await generator.generateCustom(prompt: "a kiwi", parameters: params)
        // The provider's requests per minute: two were sent, the third waits for the window.
        do {
            _ = try await generator.generateCustom(prompt: "a lime", parameters: params)
            XCTFail("the provider's rate should refuse")
        } catch let refusal as QuotaExceeded {
            XCTAssertEqual(refusal.limit, QuotaLimit(scope: .provider("preview"), kind: .requestsPerMinute, value: 2))
            XCTAssertTrue((1...60).contains(refusal.retryAfterSeconds), "\(refusal.retryAfterSeconds)")
            XCTAssertTrue(refusal.description.contains("provider 'preview' allows 2 requests per minute"), refusal.description)
        }
        await generator.shutdown()
        let audited = try host.auditEntries().filter { $0.action == .quotaRefusal }
        XCTAssertEqual(audited.map(\.subject), ["token:analytics", "provider:preview"])
        XCTAssertEqual(audited.first?.principal, "token:analytics")
    }

    func testImagesThatWereNotDeliveredAreGivenBack() async throws {
        let host = try TestHost(label: "quota-settle", config: """
            { quotas: { providers: { preview: { images_per_day: 1 } } },
              providers: { preview: { filter_word: "zebra" } } }
            """)
        let generator = try host.generator()
        let params = GenerationParameters(width: 64, height: 64)
        let filtered = try await generator.submit(GenerationRequest(prompt: "a zebra", width: 64, height: 64))
        _ = try await generator.waitUntilFinished(filtered)
        XCTAssertEqual(generator.service.runtime.security.quotas.usage(of: .provider("preview")).imagesToday, 0,
                       "a filtered job delivered nothing")
        _ = try await generator.generateCustom(prompt: "a horse", parameters: params)
        XCTAssertEqual(generator.service.runtime.security.quotas.usage(of: .provider("preview")).imagesToday, 1)
        await generator.shutdown()
    }

    func testAnExhaustedProviderFailsOverToAnotherWhenTheJobIsSent() async throws {
        let folder = TestEnvironment.temporaryDirectory("quota-failover")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let second = try TestHost.compilePreviewVariant(id: "preview-b", into: folder)
        let host = try TestHost(label: "quota-failover", extraPlugins: [second], config: """
            { providers: { preview: { priority: 10 } }, quotas: { providers: { preview: { images_per_day: 1 }, "preview-b": { images_per_day: 1 } } } }
            """)
        let generator = try host.generator()
        let params = GenerationParameters(width: 64, height: 64)
        let first = try await generator.generateCustom(prompt: "a cup", parameters: params)
        let second2 = try await generator.generateCustom(prompt: "a mug", parameters: params)
        XCTAssertEqual([first[0].metadata.apiUsed, second2[0].metadata.apiUsed], ["preview/preview-1", "preview-b/preview-1"])
        do {
            _ = try await generator.submit(GenerationRequest(prompt: "a jug", width: 64, height: 64))
            XCTFail("both providers are exhausted")
        } catch let refusal as QuotaExceeded {
            XCTAssertEqual(refusal.limit.kind, .imagesPerDay)
        }
        await generator.shutdown()
    }
}
