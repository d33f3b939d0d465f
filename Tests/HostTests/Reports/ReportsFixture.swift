import Foundation
@testable import Host
@testable import Catalog
@testable import Operations

/// A week of hand-made data (ISO week 2026-W48 in Paris) whose report values are worked out in the tests.
enum ReportsFixture {
    static let zone = TimeZone(identifier: "Europe/Paris")!
    static let wednesday = ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!
    static let previousWednesday = ISO8601DateFormatter().date(from: "2026-11-18T12:00:00Z")!

    static func record(_ model: String, _ provider: String, _ category: String, _ template: String,
                       _ outcome: GenerationOutcome, seconds: Double, cost: String?, quality: Double?,
                       at: Date, id: String? = nil) -> GenerationRecord {
        GenerationRecord(imageID: id, model: model, provider: provider, category: category, template: template,
                         finishedAt: at, durationSeconds: seconds, outcome: outcome,
                         costUSD: cost.flatMap { Double($0) }, qualityScore: quality)
    }

    static var records: [GenerationRecord] {
        var out: [GenerationRecord] = []
        // feet: premium on stability, 0.08 USD, quality mean 80, 10 s.
        for (i, q) in [80.0, 82, 78, 80, 80].enumerated() {
            out.append(record("premium", "stability", "feet", "feet_closeup", .succeeded, seconds: 10, cost: "0.08",
                              quality: q, at: wednesday.addingTimeInterval(Double(i)), id: "img-p\(i)"))
        }
        // feet: budget on replicate, 0.02 USD, quality mean 77, 4 s.
        for (i, q) in [77.0, 76, 78, 77, 77].enumerated() {
            out.append(record("budget", "replicate", "feet", "feet_closeup", .succeeded, seconds: 4, cost: "0.02",
                              quality: q, at: wednesday.addingTimeInterval(Double(10 + i)), id: "img-b\(i)"))
        }
        // lingerie_red_satin: 2 of 5 content-filtered; cost unknown.
        for (i, q) in [40.0, 45, 50].enumerated() {
            out.append(record("budget", "replicate", "lingerie", "lingerie_red_satin", .succeeded, seconds: 4, cost: nil,
                              quality: q, at: wednesday.addingTimeInterval(Double(20 + i)), id: "img-s\(i)"))
        }
        for i in 0..<2 {
            out.append(record("budget", "replicate", "lingerie", "lingerie_red_satin", .contentFiltered, seconds: 1,
                              cost: nil, quality: nil, at: wednesday.addingTimeInterval(Double(30 + i))))
        }
        // lingerie_black_lace: low quality (mean 40); cost unknown.
        for (i, q) in [30.0, 40, 50, 40, 40].enumerated() {
            out.append(record("budget", "replicate", "lingerie", "lingerie_black_lace", .succeeded, seconds: 4, cost: nil,
                              quality: q, at: wednesday.addingTimeInterval(Double(40 + i)), id: "img-l\(i)"))
        }
        // The previous week: stability was twice as fast, replicate the same.
        for i in 0..<5 {
            out.append(record("premium", "stability", "feet", "feet_closeup", .succeeded, seconds: 5, cost: "0.08",
                              quality: 80, at: previousWednesday.addingTimeInterval(Double(i))))
            out.append(record("budget", "replicate", "feet", "feet_closeup", .succeeded, seconds: 4, cost: "0.02",
                              quality: 77, at: previousWednesday.addingTimeInterval(Double(10 + i))))
        }
        // The next week: must not count.
        out.append(record("premium", "stability", "feet", "feet_closeup", .failed, seconds: 99, cost: "5",
                          quality: nil, at: wednesday.addingTimeInterval(7 * 86_400)))
        return out
    }

    static var experiments: [ExperimentSummary] {
        [ExperimentSummary(name: "lace-wording", template: "lingerie_black_lace", arms: [
            .init(name: "A", samples: 40, mean: 72, probabilityBest: 0.97),
            .init(name: "B", samples: 35, mean: 65, probabilityBest: 0.03),
         ]),
         ExperimentSummary(name: "satin-light", arms: [
            .init(name: "warm", samples: 10, mean: 70, probabilityBest: 0.99),
            .init(name: "cold", samples: 10, mean: 60, probabilityBest: 0.01),
         ])]
    }

    static var input: ReportInput {
        ReportInput(period: .isoWeek(year: 2026, week: 48), timeZone: zone, records: records, experiments: experiments,
                    budgets: [BudgetStatus(name: "daily", limit: 10, spent: 8, reserved: 0.5, remaining: 1.5, resetsAt: wednesday)])
    }

    static var report: Report { ReportBuilder.build(input, generatedAt: wednesday.addingTimeInterval(86_400 * 5)) }
}
