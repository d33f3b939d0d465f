import Foundation
import Catalog
import Operations
import ImagegenCore

extension HostServer {
    /// How often this host tells the catalog it is alive (`GET /v1/hosts` lists hosts heard
    /// from within `ServerAPI.liveWithin`).
    static let heartbeatEvery: Duration = .seconds(5)

    /// Records a heartbeat now and every `heartbeatEvery` until `stop()`; it also asks for the
    /// singleton lock, so a standby notices a dead holder within that time even when nothing
    /// else is due. A failed heartbeat is logged once per failure streak; the next one retries.
    func startHeartbeat() {
        let catalog = self.catalog, singleton = self.singleton, log = runtime.log
        let started = Date()
        let task = Task {
            var failing = false
            while !Task.isCancelled {
                let beat = HostHeartbeat(pid: getpid(), version: ImagegenVersion.current, startedAt: started,
                                         runsSingletons: singleton.mayRun())
                do {
                    try catalog.heartbeat(beat)
                    if failing { log.info("heartbeat recorded again", source: "hosts") }
                    failing = false
                } catch {
                    if !failing { log.warning("cannot record this host's heartbeat: \(error)", source: "hosts") }
                    failing = true
                }
                do { try await Task.sleep(for: Self.heartbeatEvery) } catch { return }
            }
        }
        heartbeat.withLock { $0 = task }
    }
}
