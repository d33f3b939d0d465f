import Foundation
import Composition
import Operations
import Pipeline

extension OperationsLoop {
    /// The loop for a library host: its runner is woken after slots queue jobs and signals finished jobs.
    public init(generator: ImageGenerator, clock: any WallClock = SystemWallClock(), metrics: HostMetrics? = nil,
                version: String = "dev", hooks: Hooks = Hooks()) throws {
        let catalog = generator.composition.catalog
        var hooks = hooks
        if let runner = generator.runner {
            hooks.wakeRunner = { await runner.wake() }
            if hooks.jobsChanged == nil { hooks.jobsChanged = { await runner.waitForChange(milliseconds: 5_000) } }
        }
        try self.init(service: generator.service, templates: generator.templates, catalog: catalog,
                      slotRuns: try catalog.openSlotRunStore(), alerts: try catalog.openAlertStore(), clock: clock,
                      metrics: metrics, version: version, hooks: hooks)
    }
}
