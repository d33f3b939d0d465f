import Foundation
import HTTPServer
import ImagegenCore
import Operations

/// `GET /v1/costs` and `GET /v1/stats`: the money and the generation statistics, for the
/// analytics module and the Python client. They answer exactly what `imagegen costs --json`
/// and `imagegen stats --json` print (`CostReport`, `StatsReport`), so there is one definition
/// of "spent" and "success rate".
extension ServerAPI {
    static let moneyFilters = ["by", "since"]

    /// `?by=model|category|plugin|day` (default model), `?since=` ISO 8601 or Unix seconds.
    func costs(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let since = try ServerAPI.moneyQuery(request)
            let by = try ServerAPI.dimension(request, CostReport.Dimension.self, default: .model)
            let catalog = self.catalog, settings = runtime.configuration.budgets, now = service.clock()
            return APIEncoding.json(try await BlockingWork.run {
                try CostReport(catalog: catalog, budgets: settings, by: by, since: since, now: now)
            })
        }
    }

    /// `?by=model|provider|category|template` (default model), `?since=` ISO 8601 or Unix seconds.
    func stats(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let since = try ServerAPI.moneyQuery(request)
            let by = try ServerAPI.dimension(request, StatsDimension.self, default: .model)
            let report = statsReport, settings = runtime.configuration.budgets, now = service.clock()
            return APIEncoding.json(try await BlockingWork.run {
                try report(settings, by, since, now)
            })
        }
    }

    /// Refuses unknown filters (a typo is a 400, never a silently wider answer) and reads `since`.
    static func moneyQuery(_ request: HTTPRequest) throws(APIError) -> Date? {
        for item in request.queryItems where !moneyFilters.contains(item.name) {
            throw .invalidRequest("unknown filter \"\(item.name)\". Known: \(moneyFilters.joined(separator: ", "))")
        }
        guard let text = request.filter("since") else { return nil }
        guard let since = APIEncoding.parseTime(text) else {
            throw .invalidRequest("since must be an ISO 8601 time (2025-05-01T00:00:00Z) or Unix seconds, \(TimeBounds.description)")
        }
        return since
    }

    static func dimension<D: RawRepresentable & CaseIterable>(_ request: HTTPRequest, _ type: D.Type, default value: D)
        throws(APIError) -> D where D.RawValue == String {
        guard let text = request.filter("by") else { return value }
        guard let dimension = D(rawValue: text) else {
            throw .invalidRequest("by must be one of \(D.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
        }
        return dimension
    }
}
