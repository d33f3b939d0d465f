import Foundation
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline

/// Budgets reserve the expected cost in the same transaction that queues the job.
final class BudgetTests: XCTestCase {
    func testTwentyConcurrentRequestsAgainstABudgetThatFitsFiveQueueExactlyFive() async throws {
        let host = try TestHost(label: "budget-race", config: """
            { models: { preview: { price: { per_image: 0.01 } } }, budgets: { daily: 0.05 } }
            """)
        // Four separate connections, as if four processes raced for the budget.
        let services = try (0..<4).map { _ -> GenerationService in
            let runtime = HostRuntime(paths: host.paths, configuration: try Configuration.load(path: host.paths.config), log: host.log)
            runtime.plugins.rescan()
            return GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: host.paths.catalog))
        }
        let outcomes = await withTaskGroup(of: Result<Int, any Error>.self) { group in
            for i in 0..<20 {
                group.addTask {
                    do { return .success(try services[i % 4].enqueue(GenerationRequest(prompt: "cup \(i)", width: 64, height: 64)).count) }
                    catch { return .failure(error) }
                }
            }
            var all: [Result<Int, any Error>] = []
            for await r in group { all.append(r) }
            return all
        }
        let queued = outcomes.compactMap { try? $0.get() }.reduce(0, +)
        let refusals = outcomes.compactMap { r -> BudgetRefusal? in if case .failure(let e) = r { return e as? BudgetRefusal }; return nil }
        XCTAssertEqual(queued, 5)
        XCTAssertEqual(refusals.count, 15)
        XCTAssertEqual(try host.catalog().jobs(state: .queued, batch: nil, limit: 100).count, 5)
        let message = try XCTUnwrap(refusals.first).description
        XCTAssertTrue(message.contains("budget daily would be exceeded: limit $0.0500"), message)
        XCTAssertTrue(message.contains("resets at"), message)
    }

    func testReservationBecomesActualCostAndCategoryBudgetsApply() async throws {
        let host = try TestHost(label: "budget-cat", config: """
            { models: { preview: { price: { per_image: 0.02 } } },
              budgets: { daily: 10, categories: { product: { daily: 0.03 } } } }
            """)
        let generator = try host.generator()
        _ = try await generator.generateCustom(prompt: "one", parameters: GenerationParameters(width: 64, height: 64))
        do {
            _ = try await generator.submit(GenerationRequest(prompt: "two", width: 64, height: 64))
            XCTFail("the category budget should refuse the second image")
        } catch let e as BudgetRefusal {
            XCTAssertEqual(e.budget, "daily:product")
            XCTAssertEqual(e.spent, 0.02, accuracy: 1e-9)
            XCTAssertEqual(e.reserved, 0, accuracy: 1e-9)
        }
        await generator.shutdown()
        let status = try host.catalog().budgetStatus(BudgetPolicy(settings: generator.service.runtime.configuration.budgets),
                                                    categories: ["product"], now: Date())
        XCTAssertEqual(status.first { $0.name == "daily" }?.spent ?? -1, 0.02, accuracy: 1e-9)
        let cli = try host.cli(["generate", "--prompt", "three", "--width", "64", "--height", "64"])
        XCTAssertEqual(cli.status, 3, "budget refusals exit with 3: \(cli.stderr)")
    }

    func testUnpricedModelIsRefusedWhileABudgetIsSet() async throws {
        let host = try TestHost(label: "budget-unpriced", config: "{ models: { preview: { price_unknown: true } }, budgets: { daily: 1 } }")
        let generator = try host.generator()
        do {
            _ = try await generator.submit(GenerationRequest(prompt: "x", width: 64, height: 64))
            XCTFail("accepted")
        } catch let e as UnpricedModelRefusal {
            XCTAssertTrue(e.description.contains("budgets.allow_unpriced"))
        }
        await generator.shutdown()
    }

    func testZeroCostModelIsNeverBlockedByAnExhaustedBudget() async throws {
        let host = try TestHost(label: "budget-free", config: "{ budgets: { daily: 0 } }")
        let generator = try host.generator()
        let r = try await generator.generateCustom(prompt: "free", parameters: GenerationParameters(width: 64, height: 64))
        await generator.shutdown()
        XCTAssertEqual(r.count, 1)
    }
}
