import Foundation
import Host
import Composition
import Operations

/// What the operations commands (plan, stats, alerts, report) open: the generator's catalog, the
/// configured plan over it, and the plan's time zone.
extension CommandContext {
    /// The generator's own catalog connection (one connection per process keeps writes serialised).
    func operationsCatalog() throws(CLIError) -> EntryCatalog {
        try generator().composition.catalog
    }

    /// The configured plan (or the product default) with the catalog's slot-run store.
    func planService(wake: @escaping @Sendable () async -> Void = {}) throws(CLIError) -> PlanService {
        let generator = try generator()
        let catalog = try operationsCatalog()
        do {
            return try PlanService(service: generator.service, templates: generator.templates,
                                   slotRuns: try catalog.openSlotRunStore(), wake: wake)
        } catch let e as GenerationPlanError {
            throw .usage("config plans: \(e.description)")
        } catch {
            throw .failed("cannot open the plan: \(error)", .failure)
        }
    }

    /// The zone reports and day arguments are read in: the plan's.
    func planTimeZone() throws(CLIError) -> TimeZone {
        let configuration: PlanConfiguration
        do { configuration = try PlanConfiguration(configuration: try generator().service.runtime.configuration) } catch {
            throw .usage("config plans: \(error)")
        }
        do { return try configuration.plan.resolvedTimeZone() } catch { throw .usage(error.description) }
    }
}
