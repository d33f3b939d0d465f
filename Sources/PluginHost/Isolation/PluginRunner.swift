import Foundation
import Glibc
import ImagegenCore
import ImagegenJSON
import Synchronization

/// The child side of an isolated plugin (`imagegen plugin-runner`, started only by the host):
/// applies the plugin's limits, loads the `.so` in-process with proxied host services, says
/// hello, then serves calls from the socket until the host says shutdown or goes away.
///
/// Whatever the plugin does here — a NULL write, `abort()`, `exit()`, running out of memory —
/// ends this process only; the host sees the socket close and the exit status.
package enum PluginRunner {
    /// The descriptors the host hands over (dup2'd into place by `posix_spawn`).
    package static let socketDescriptor: Int32 = 3
    package static let imageDescriptor: Int32 = 4

    struct Options {
        var file = "plugin.so"
        var hash = ""
        var generation = 1
        var memoryMegabytes = 0
        var cpuSeconds = 0
        var openFiles = 0
        var limits = PluginBoundaryLimits()
        var systemClock = false
    }

    /// Arguments after `plugin-runner`. Never returns.
    package static func main(_ arguments: [String]) -> Never {
        let started = MonotonicClock.now()
        signal(SIGPIPE, SIG_IGN)
        var o = Options()
        var i = 0
        while i < arguments.count {
            if arguments[i] == "--system-clock" {
                o.systemClock = true
                i += 1
                continue
            }
            guard i + 1 < arguments.count else { break }
            let v = arguments[i + 1]
            switch arguments[i] {
            case "--file": o.file = v
            case "--hash": o.hash = v
            case "--generation": o.generation = Int(v) ?? 1
            case "--max-image-bytes": o.limits = PluginBoundaryLimits(maxImageBytes: Int(v) ?? o.limits.maxImageBytes)
            default: break
            }
            i += 2
        }
        applyLimits(o)
        let channel = FrameChannel(fd: socketDescriptor)
        let services = ProxiedHostServices(channel: channel, systemClock: o.systemClock)
        let bytes = readImage()
        let read = MonotonicClock.now()
        let loader = PluginLoader(services: services, limits: o.limits)
        let generation: PluginGeneration
        let description: [UInt8]
        switch loader.loadInProcess(file: o.file, bytes: bytes, hash: o.hash, generation: o.generation) {
        case .failure(let refusal):
            var w = ByteWriter()
            w.text(refusal.description)
            channel.send(.refused, id: 0, w.bytes)
            _exit(0)
        case .success(let plugin):
            (generation, description) = plugin
        }
        let loaded = MonotonicClock.now()
        let hello = RunnerMessage.Hello(abiMajor: generation.abiMajor, abiMinor: generation.abiMinor,
                                        offersBalance: generation.transport.offers(.balance),
                                        offersReconcile: generation.transport.offers(.reconcile), description: description)
        channel.send(.hello, id: 0, hello.encoded)
        noteStartTimes([started, read, loaded, MonotonicClock.now()])
        serve(channel: channel, services: services, generation: generation)
    }

    /// The control socket's reader. Calls come on lanes, each served by a thread of its own
    /// (a blocked call must not stop the others), so this thread only starts lanes, applies
    /// limits, hands service answers to threads outside a call, and ends the process.
    static func serve(channel: FrameChannel, services: ProxiedHostServices, generation: PluginGeneration) -> Never {
        let instances = Instances()
        let reader = FrameReader(channel)
        while case .frame(let frame) = reader.receive() {
            switch frame.kind {
            case .serviceReply:
                services.deliver(frame)
            case .lane:
                guard let fd = reader.takeDescriptor() else { break }
                let lane = Thread { serveLane(fd: fd, generation: generation, instances: instances) }
                lane.name = "imagegen.runner-lane"
                lane.start()
            case .limits:
                var r = ByteReader(frame.body)
                var o = Options()
                o.memoryMegabytes = Int(r.u64() ?? 0)
                o.cpuSeconds = Int(r.u64() ?? 0)
                o.openFiles = Int(r.u64() ?? 0)
                applyLimits(o)
            case .shutdown:
                // Drained by the host: destroy the instances, then shutdown, as in-process.
                generation.retire()
                _exit(0)
            default:
                break
            }
        }
        // The host closed the socket (or died): nothing is owed to anyone.
        _exit(0)
    }

    /// One lane: read a call, run it on this thread, answer; the services the plugin asks for
    /// meanwhile go out and come back on this lane (`ProxiedHostServices.ask`). Ends when the
    /// host closes the lane (it abandoned a call, or it is going away).
    static func serveLane(fd: Int32, generation: PluginGeneration, instances: Instances) {
        let lane = ChildLane(fd: fd)
        ChildLane.current = lane
        defer { ChildLane.current = nil }
        // The next call of a busy lane (a poll loop) often follows within µs of the answer.
        var spin = LaneSpin(microseconds: LaneSpin.configuredMicroseconds)
        var until: UInt64?
        while case .frame(let frame) = lane.reader.receive(spinUntil: until) {
            if until != nil { spin.record(hit: lane.reader.spinHit) }
            until = nil
            guard frame.kind == .call else { continue }
            let reply: RunnerMessage.Reply
            if let call = RunnerMessage.Call(frame.body) {
                reply = handle(call, generation: generation, instances: instances)
            } else {
                reply = RunnerMessage.Reply(status: PluginStatus.internal.rawValue, message: "malformed call frame")
            }
            guard lane.channel.send(.reply, id: frame.id, reply.encoded) else { break }
            until = spin.deadline()
        }
    }

    /// The instances `create` made in this child, by number.
    final class Instances: Sendable {
        let byNumber = Mutex<[UInt64: PluginInstance]>([:])
        let next = Atomic<UInt64>(0)
    }

    static func handle(_ call: RunnerMessage.Call, generation: PluginGeneration, instances: Instances) -> RunnerMessage.Reply {
        do throws(PluginCallError) {
            if call.operation == RunnerMessage.create {
                guard let config = JSONValue.parse(call.input) else {
                    throw PluginCallError(.invalidRequest, "the provider config is not JSON")
                }
                let instance = try generation.makeInstance(config: config)
                let number = instances.next.add(1, ordering: .relaxed).newValue
                instances.byNumber.withLock { $0[number] = instance }
                var w = ByteWriter()
                w.u64(number)
                return RunnerMessage.Reply(status: 0, output: w.bytes)
            }
            guard let operation = PluginOperation(rawValue: call.operation) else {
                throw PluginCallError(.unsupported, "unknown operation \(call.operation)")
            }
            guard let instance = instances.byNumber.withLock({ $0[call.instance] }) else {
                throw PluginCallError(.internal, "no instance \(call.instance) in the runner")
            }
            return RunnerMessage.Reply(status: 0, output: try instance.call(operation, call.input, index: call.index))
        } catch {
            return RunnerMessage.Reply(error)
        }
    }

    static func readImage() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(imageDescriptor, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            offset += off_t(n)
        }
        close(imageDescriptor)
        return bytes
    }

    /// For `Benchmarks plugin-isolation`: where a start's time goes. With IMAGEGEN_RUNNER_TIMES
    /// set, appends "pid main image-read loaded hello" (CLOCK_MONOTONIC ns) to that file; a failed write is
    /// a missing figure, nothing more.
    static func noteStartTimes(_ times: [UInt64]) {
        guard let path = ProcessInfo.processInfo.environment["IMAGEGEN_RUNNER_TIMES"] else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let line = Array(([String(getpid())] + times.map(String.init)).joined(separator: " ").utf8) + [10]
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }  // one short O_APPEND write; a figure lost is all a failure costs
        close(fd)
    }

    /// The per-plugin limits, enforced by the kernel on this process only (0 = none).
    static func applyLimits(_ o: Options) {
        func set(_ resource: Int32, _ value: UInt64) {
            var l = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
            setrlimit(__rlimit_resource_t(UInt32(resource)), &l)
        }
        if o.memoryMegabytes > 0 { set(Int32(RLIMIT_AS.rawValue), UInt64(o.memoryMegabytes) * 1024 * 1024) }
        if o.cpuSeconds > 0 { set(Int32(RLIMIT_CPU.rawValue), UInt64(o.cpuSeconds)) }
        if o.openFiles > 0 { set(Int32(RLIMIT_NOFILE.rawValue), UInt64(o.openFiles)) }
        // A crash should not write a core file per restart.
        set(Int32(RLIMIT_CORE.rawValue), 0)
    }
}
