import Foundation
import ImagegenCore
import Operations

/// Builds the `GET /v1/stats` report for a grouping and period: budgets, dimension, since, now.
typealias StatsReportSource = @Sendable (BudgetSettings, StatsDimension, Date?, Date) throws -> StatsReport
