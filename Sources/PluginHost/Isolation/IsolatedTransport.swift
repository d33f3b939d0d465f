import Foundation
import Glibc
import ImagegenCore
import Synchronization

/// A plugin copy running in a child process (`PluginRunner`), supervised: calls travel as
/// frames; a call past its watchdog kills the child; a child that dies fails the calls in
/// flight (`PluginIsolationFailure.crashed`) and is restarted on the next call after a growing
/// back-off; after `quarantine_after` failures in a row it is not restarted until the file
/// changes (a new generation) or `imagegen plugins reload`.
package final class IsolatedTransport: PluginTransport, @unchecked Sendable {
    let runner: String
    let fileName: String
    let hash: String
    let generationNumber: Int
    let id: String
    let settings: IsolationSettings
    /// The boundary's size caps: the child checks them before copying, the host again on arrival.
    let limits: PluginBoundaryLimits
    let services: any PluginHostServices
    /// The plugin image (an unlinked private copy), handed to every child.
    let imageFD: Int32
    let offersBalance: Bool
    let offersReconcile: Bool

    private struct State {
        var process: RunnerProcess?
        var incarnation = 0
        /// Endpoint number → the child's instance number, for the current child only.
        var childInstances: [UInt64: UInt64] = [:]
        var nextEndpoint: UInt64 = 1
        var callsInFlight: [UInt64: PluginOperation] = [:]
        var nextCall: UInt64 = 1
        var consecutiveFailures = 0
        var totalFailures = 0
        var lastFailure: String?
        var quarantined = false
        var restartAt = Date.distantPast
        var retired = false
    }
    private let state = Mutex(State())
    /// One start at a time.
    private let starting = NSLock()

    init(runner: String, fileName: String, hash: String, generation: Int, id: String, settings: IsolationSettings,
         limits: PluginBoundaryLimits, services: any PluginHostServices, imageFD: Int32, hello: RunnerMessage.Hello, first: RunnerProcess?) {
        self.runner = runner
        self.fileName = fileName
        self.hash = hash
        self.generationNumber = generation
        self.id = id
        self.settings = settings
        self.limits = limits
        self.services = services
        self.imageFD = imageFD
        self.offersBalance = hello.offersBalance
        self.offersReconcile = hello.offersReconcile
        if let first { adopt(first) }
    }

    deinit { close(imageFD) }

    package var status: PluginRunStatus {
        state.withLock { s in
            PluginRunStatus(isolation: "process",
                            state: s.quarantined ? "quarantined" : (s.process == nil && s.consecutiveFailures > 0 ? "restarting" : "running"),
                            consecutiveCrashes: s.consecutiveFailures, totalCrashes: s.totalFailures,
                            lastFailure: s.lastFailure, pid: s.process?.pid, starts: s.incarnation)
        }
    }

    package func offers(_ kind: PluginExtensionKind) -> Bool {
        switch kind {
        case .balance: offersBalance
        case .reconcile: offersReconcile
        }
    }

    /// Starts the child now if none runs (a load from the describe cache starts none), so the
    /// first call does not pay exec, load and hello. Off the caller's thread; a failed start is
    /// counted and logged like any other.
    package func warmUp() {
        guard state.withLock({ $0.process == nil && $0.consecutiveFailures == 0 && !$0.retired }) else { return }
        startReplacement()
    }

    package func releaseQuarantine() {
        let lifted = state.withLock { s -> Bool in
            defer { s.quarantined = false; s.consecutiveFailures = 0; s.restartAt = .distantPast }
            return s.quarantined
        }
        if lifted { services.log(.warning, "quarantine lifted by a reload; the next call starts a fresh child", source: id) }
    }

    package func makeEndpoint(config: [UInt8]) throws(PluginCallError) -> any PluginEndpoint {
        let endpoint = IsolatedEndpoint(transport: self, number: state.withLock { s in defer { s.nextEndpoint += 1 }; return s.nextEndpoint },
                                        config: config)
        // Created now, as in-process, so a config the plugin refuses fails here.
        let process = try currentProcess()
        _ = try childInstance(for: endpoint, in: process)
        return endpoint
    }

    package func shutdown(endpoints: [any PluginEndpoint]) {
        let process = state.withLock { s -> RunnerProcess? in
            s.retired = true
            return s.process
        }
        process?.stop(grace: 2)
    }

    // MARK: - Calls

    func perform(_ endpoint: IsolatedEndpoint, _ operation: PluginOperation, input: [UInt8], index: UInt32) throws(PluginCallError) -> [UInt8] {
        let process = try currentProcess()
        let instance = try childInstance(for: endpoint, in: process)
        let reply = try exchange(process, operation.description, RunnerMessage.Call(operation: operation.rawValue, instance: instance,
                                                                                    index: index, input: input))
        return reply
    }

    /// One call to the child, with its watchdog; a plugin status other than OK is thrown as is.
    private func exchange(_ process: RunnerProcess, _ name: String, _ call: RunnerMessage.Call) throws(PluginCallError) -> [UInt8] {
        let token = state.withLock { s in
            defer { s.nextCall += 1 }
            s.callsInFlight[s.nextCall] = PluginOperation(rawValue: call.operation)
            return s.nextCall
        }
        let limit = settings.limit(name)
        let outcome = process.call(call, timeout: limit)
        state.withLock { _ = $0.callsInFlight.removeValue(forKey: token) }
        switch outcome {
        case .reply(let reply):
            let status = PluginStatus(code: reply.status)
            guard status == .ok else {
                throw PluginCallError(status, reply.message.isEmpty ? "\(name) failed with \(status)" : reply.message,
                                      retryAfterMilliseconds: reply.retryAfterMilliseconds >= 0 ? Int(reply.retryAfterMilliseconds) : nil,
                                      pluginFault: reply.pluginFault)
            }
            if let operation = PluginOperation(rawValue: call.operation) {
                let (cap, what) = limits.outputLimit(operation)
                guard reply.output.count <= cap else {
                    throw .fault("\(name) answered \(reply.output.count) bytes, more than the \(cap)-byte limit for \(what)")
                }
            }
            // A provider call that worked ends a crash streak; `create` does not: it runs again in
            // every fresh child, so counting it would reset the streak and never quarantine.
            if name != "create" { state.withLock { if $0.process === process { $0.consecutiveFailures = 0 } } }
            return reply.output
        case .exited(let how):
            throw PluginCallError(.internal, "plugin \(id) (\(fileName)) crashed during \(name): its process was \(how)",
                                  isolation: .crashed)
        case .timedOut:
            let reason = "watchdog: \(name) did not return within \(Self.seconds(limit)) (limit watchdog_ms.\(name))"
            process.kill(because: reason)
            throw PluginCallError(.timeout, "plugin \(id) (\(fileName)): \(name) did not return within \(Self.seconds(limit)); "
                                  + "the call was abandoned and the plugin's process restarted", isolation: .watchdog)
        }
    }

    static func seconds(_ t: TimeInterval) -> String { t < 10 ? String(format: "%.1f s", t) : "\(Int(t)) s" }

    private func childInstance(for endpoint: IsolatedEndpoint, in process: RunnerProcess) throws(PluginCallError) -> UInt64 {
        if let n = state.withLock({ s in s.process === process ? s.childInstances[endpoint.number] : nil }) { return n }
        let output = try exchange(process, "create", RunnerMessage.Call(operation: RunnerMessage.create, instance: 0, index: 0,
                                                                       input: endpoint.config))
        var r = ByteReader(output)
        guard let number = r.u64() else { throw PluginCallError(.internal, "the plugin runner answered create without an instance") }
        state.withLock { s in if s.process === process { s.childInstances[endpoint.number] = number } }
        return number
    }

    /// The running child, started if there is none and the back-off has passed.
    private func currentProcess() throws(PluginCallError) -> RunnerProcess {
        if let p = state.withLock({ s in s.process.flatMap { $0.hasEnded ? nil : $0 } }) { return p }
        starting.lock()
        defer { starting.unlock() }
        enum Gate { case ready(RunnerProcess), refuse(PluginCallError), start }
        var settled: FailureReport?
        let gate: Gate = state.withLock { s in
            // The child died but its reader has not reported it yet: count its end here, once,
            // before anything else, so a new child never starts inside the back-off and the
            // death is not lost when the late report finds another child current.
            if let p = s.process, p.hasEnded {
                s.process = nil
                s.childInstances = [:]
                if let end = p.endReport { settled = countEnd(of: p, how: end.how, killedBecause: end.killedBecause, in: &s) }
            }
            if s.retired {
                return .refuse(PluginCallError(.cancelled, "plugin \(id) generation \(generationNumber) was retired", generationRetired: true))
            }
            if s.quarantined {
                return .refuse(PluginCallError(.internal, "plugin \(id) (\(fileName)) is quarantined after \(s.consecutiveFailures) crashes in a row "
                    + "(last: \(s.lastFailure ?? "?")); replace the file or run `imagegen plugins reload`", isolation: .quarantined))
            }
            if let p = s.process, !p.hasEnded { return .ready(p) }
            let wait = s.restartAt.timeIntervalSinceNow
            if wait > 0 {
                return .refuse(PluginCallError(.internal, "plugin \(id) (\(fileName)) is restarting after a crash "
                    + "(\(s.lastFailure ?? "?")); next start in \(Self.seconds(wait))", isolation: .restarting))
            }
            return .start
        }
        if let settled { log(settled) }
        switch gate {
        case .ready(let p): return p
        case .refuse(let e): throw e
        case .start: break
        }
        let spawned = RunnerProcess.spawn(runner: runner, imageFD: imageFD, file: fileName, hash: hash,
                                          generation: generationNumber, limits: limits, services: services, source: id)
        let process: RunnerProcess
        switch spawned {
        case .failure(let failure):
            let why = failure.message
            recordFailure(why, process: nil)
            throw PluginCallError(.internal, "plugin \(id) (\(fileName)): \(why)", isolation: .crashed)
        case .success(let p):
            process = p
        }
        let (frame, outcome) = process.awaitHello(timeout: settings.limit("describe"))
        var why: String?
        switch (frame, outcome) {
        case (let f?, nil) where f.kind == .hello:
            why = nil
        case (let f?, nil):
            var r = ByteReader(f.body)
            why = "it refused to load: \(r.text() ?? "")"
        case (_, .exited(let how)?):
            why = "its process was \(how) while loading"
        default:
            why = "it did not load within \(Self.seconds(settings.limit("describe")))"
        }
        if let why {
            process.kill(because: why)
            recordFailure(why, process: nil)
            throw PluginCallError(.internal, "plugin \(id) (\(fileName)) could not be restarted: \(why)", isolation: .crashed)
        }
        adopt(process)
        return process
    }

    private func adopt(_ process: RunnerProcess) {
        process.applyLimits(settings)
        state.withLock { s in
            s.process = process
            s.incarnation += 1
            s.childInstances = [:]
        }
        process.onExit { [weak self] how, killed in self?.ended(process, how: how, killedBecause: killed) }
    }

    /// The reader's report that `process` ended.
    private func ended(_ process: RunnerProcess, how: String, killedBecause: String?) {
        let report = state.withLock { s -> FailureReport? in
            if s.process === process {
                s.process = nil
                s.childInstances = [:]
            }
            return countEnd(of: process, how: how, killedBecause: killedBecause, in: &s)
        }
        if let report {
            log(report)
            if report.count == 1 && !report.quarantined { startReplacement() }
        }
    }

    /// After a first failure the replacement starts at once, not on the next call, so that call
    /// finds it ready (or waits on `starting` for it) instead of paying exec, load and hello.
    /// Repeats wait for their back-off and a call, so a plugin that dies at load does not spin.
    private func startReplacement() {
        DispatchQueue.global().async { [weak self] in
            guard let self else { return }
            do throws(PluginCallError) { _ = try currentProcess() } catch {
                // Counted and logged by `currentProcess` when the start failed; otherwise retired or quarantined meanwhile.
                _ = error
            }
        }
    }

    /// Counts a child's end exactly once, whoever sees it first (its reader, or a caller that
    /// found it dead): every caller whose call was in flight sees the same death, and a caller
    /// may restart the child before the reader reports, so neither "is it still current" nor
    /// "who noticed" can decide. A child stopped because its generation retired is no failure.
    private func countEnd(of process: RunnerProcess, how: String, killedBecause: String?, in s: inout State) -> FailureReport? {
        guard killedBecause != "retired", process.claimEnd() else { return nil }
        return count(killedBecause.map { "\($0) (its process was \(how))" } ?? "its process was \(how)", pid: process.pid, in: &s)
    }

    /// A failure counted, for the log line written outside the lock.
    struct FailureReport {
        var what: String
        var pid: pid_t?
        var count: Int
        var backoff: TimeInterval
        var quarantined: Bool
        var inFlight: [String]
    }

    /// Counts a crash (or watchdog kill, or failed start), sets the back-off, and quarantines
    /// after `quarantine_after` in a row.
    private func recordFailure(_ what: String, process: RunnerProcess?) {
        log(state.withLock { s in count(what, pid: process?.pid, in: &s) })
    }

    private func count(_ what: String, pid: pid_t?, in s: inout State) -> FailureReport {
        s.consecutiveFailures += 1
        s.totalFailures += 1
        s.lastFailure = what
        // None after a first failure (a one-off crash costs only the restart), then 0.1 s doubling.
        let backoff = s.consecutiveFailures == 1 ? 0 : min(30, 0.1 * pow(2, Double(s.consecutiveFailures - 2)))
        s.restartAt = Date().addingTimeInterval(backoff)
        if s.consecutiveFailures >= settings.quarantineAfter { s.quarantined = true }
        return FailureReport(what: what, pid: pid, count: s.consecutiveFailures, backoff: backoff, quarantined: s.quarantined,
                             inFlight: s.callsInFlight.values.map(\.description).sorted())
    }

    private func log(_ r: FailureReport) {
        let pid = r.pid.map { ", pid \($0)" } ?? ""
        let calls = r.inFlight.isEmpty ? "no call in flight"
            : "\(r.inFlight.count) call(s) in flight (\(r.inFlight.joined(separator: ", "))) fail as plugin_crashed"
        services.log(.error, "plugin \(id) (file \(fileName)\(pid)) failed: \(r.what); \(calls); "
                     + (r.quarantined
                        ? "quarantined after \(r.count) failures in a row: not restarted until the file changes or `imagegen plugins reload`"
                        : r.backoff == 0 ? "restarting now (\(r.count) in a row)" : "restart in \(Self.seconds(r.backoff)) (\(r.count) in a row)"),
                     source: "host")
    }
}

/// One configured instance in the child: the config it was created with, so a restarted child
/// gets the same instance again.
final class IsolatedEndpoint: PluginEndpoint, @unchecked Sendable {
    let transport: IsolatedTransport
    let number: UInt64
    let config: [UInt8]

    init(transport: IsolatedTransport, number: UInt64, config: [UInt8]) {
        self.transport = transport
        self.number = number
        self.config = config
    }

    func call(_ operation: PluginOperation, input: [UInt8], index: UInt32) throws(PluginCallError) -> [UInt8] {
        try transport.perform(self, operation, input: input, index: index)
    }

    /// The child destroys its instances itself on shutdown.
    func destroy() {}
}
