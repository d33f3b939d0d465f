import Foundation
import Glibc
import ImagegenCore
import Synchronization

/// One child process running one plugin copy (`imagegen plugin-runner`), seen from the host:
/// spawning it, its calls in flight, the host services it asks for, and how it ended.
final class RunnerProcess: @unchecked Sendable {
    let pid: pid_t
    let channel: FrameChannel
    let services: any PluginHostServices
    /// Names the plugin in log lines (its id once known, the file before).
    let source: Mutex<String>

    enum Outcome {
        case reply(RunnerMessage.Reply)
        /// The child ended before answering: how ("killed by SIGSEGV").
        case exited(String)
        case timedOut
    }

    private final class Pending: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var frame: Frame?
    }

    private struct State {
        var pending: [UInt64: Pending] = [:]
        /// Set once the child is reaped.
        var ended: String?
        /// Why the host killed or stopped it, when it did.
        var killedBecause: String?
        var onExit: (@Sendable (String, String?) -> Void)?
        /// A hello or refusal that came before anyone waited for it.
        var early: Frame?
        /// Lanes with no call on them, ready for the next.
        var idleLanes: [Lane] = []
    }

    /// A socket of its own between one host caller and one thread in the child, for one call
    /// at a time: the caller writes the call and reads the answer itself (no reader thread
    /// and no queue between them), so a call costs one wake-up each way.
    final class Lane: @unchecked Sendable {
        let channel: FrameChannel
        let reader: FrameReader
        /// Whether to spin for the reply, per operation (a poll answers in µs, a submit in seconds).
        var spins = [LaneSpin](repeating: LaneSpin(microseconds: LaneSpin.configuredMicroseconds), count: 8)
        init(fd: Int32, maximumBody: Int) {
            channel = FrameChannel(fd: fd, maximumBody: maximumBody, ownsDescriptor: true)
            reader = FrameReader(channel)
        }
    }
    private let state = Mutex(State())
    private let services_queue = DispatchQueue(label: "imagegen.runner-services", attributes: .concurrent)
    /// Left once the child is reaped: callers whose lane closed wait here for how it ended.
    private let reaped = DispatchGroup()

    private init(pid: pid_t, fd: Int32, services: any PluginHostServices, source: String, limits: PluginBoundaryLimits) {
        self.pid = pid
        // A reply carries at most one bounded answer (the child refuses a larger one before
        // copying it), plus room for the message; a larger frame is a broken child, and the
        // host never allocates it.
        self.channel = FrameChannel(fd: fd, maximumBody: max(limits.maxJSONBytes, limits.maxImageBytes) + 64 * 1024)
        self.services = services
        self.source = Mutex(source)
        reaped.enter()
    }

    /// Starts `runner plugin-runner …` with the socket as fd 3 and the plugin image as fd 4.
    /// When the host's clock is the system's, the child reads it itself (`--system-clock`):
    /// Preview asks for it on every poll, and a round trip for it would double a poll's cost.
    static func spawn(runner: String, imageFD: Int32, file: String, hash: String, generation: Int, limits: PluginBoundaryLimits,
                      services: any PluginHostServices, source: String) -> Result<RunnerProcess, SpawnFailure> {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            return .failure(SpawnFailure(message: "cannot create a socket pair: \(String(cString: strerror(errno)))"))
        }
        // Sources well above 3 and 4, so the dup2 below never meets its own target.
        let childSocket = fcntl(pair[1], F_DUPFD_CLOEXEC, 100)
        let childImage = fcntl(imageFD, F_DUPFD_CLOEXEC, 100)
        close(pair[1])
        defer { close(childSocket); close(childImage) }
        guard childSocket >= 0, childImage >= 0 else {
            close(pair[0])
            return .failure(SpawnFailure(message: "cannot prepare descriptors: \(String(cString: strerror(errno)))"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childSocket, PluginRunner.socketDescriptor)
        posix_spawn_file_actions_adddup2(&actions, childImage, PluginRunner.imageDescriptor)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        // Nothing else of the host's: a descriptor some library opened without CLOEXEC (a
        // pipe a supervisor reads to its end, a lock) must not live on in a plugin's child.
        if let closeFrom = RunnerProcess.addCloseFrom { _ = closeFrom(&actions, PluginRunner.imageDescriptor + 1) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (a terminal's Ctrl-C is for the host, which stops it in order),
        // no blocked signals and default dispositions whatever the host set for itself.
        // The mask matters most: a call made on a dispatch or concurrency thread (every
        // signal blocked there) would hand that mask on, and a child with SIGTERM blocked
        // outlives `kill -TERM` and anyone stopping it politely; SIGXCPU (the CPU limit) and
        // SIGPIPE (ignored by the test runner) need their default action back too.
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigfillset(&defaults)
        let prepared = [posix_spawnattr_setsigmask(&attributes, &empty),
                        posix_spawnattr_setsigdefault(&attributes, &defaults),
                        posix_spawnattr_setpgroup(&attributes, 0),
                        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))]
        if let rc = prepared.first(where: { $0 != 0 }) {
            close(pair[0])
            return .failure(SpawnFailure(message: "cannot prepare the plugin runner's signals: \(String(cString: strerror(rc)))"))
        }
        let arguments = [runner, "plugin-runner", "--file", file, "--hash", hash, "--generation", "\(generation)",
                         "--max-image-bytes", "\(limits.maxImageBytes)"] + (services.clockIsSystem ? ["--system-clock"] : [])
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        // No Swift backtracer in the child: it would spend seconds symbolicating a plugin's
        // crash before the host may restart it. The host logs plugin, file and signal instead.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, runner, &actions, &attributes, &argv, &envp)
        guard rc == 0 else {
            close(pair[0])
            return .failure(SpawnFailure(message: "cannot start the plugin runner \(runner): \(String(cString: strerror(rc)))"))
        }
        let process = RunnerProcess(pid: pid, fd: pair[0], services: services, source: source, limits: limits)
        let reader = Thread { process.readLoop() }
        reader.name = "imagegen.runner-reader"
        reader.start()
        return .success(process)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run
    /// time: the Glibc module does not export it. nil on an older libc (CLOEXEC still applies).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Called once with how the child ended and, if the host killed it, why.
    func onExit(_ handler: @escaping @Sendable (String, String?) -> Void) {
        let ended: (String, String?)? = state.withLock { s in
            if let e = s.ended { return (e, s.killedBecause) }
            s.onExit = handler
            return nil
        }
        if let ended { handler(ended.0, ended.1) }
    }

    var hasEnded: Bool { state.withLock { $0.ended != nil } }

    /// How the child ended and, if the host killed it, why; nil while it runs.
    var endReport: (how: String, killedBecause: String?)? {
        state.withLock { s in s.ended.map { ($0, s.killedBecause) } }
    }

    /// For tests only: how long a reader waits between waking the calls of a dead child and
    /// reporting its end. 0 in the product.
    package static let exitReportDelayMicroseconds = Atomic<UInt32>(0)

    private let endClaimed = Atomic<Bool>(false)
    /// True for the first caller only: the one that counts this child's end.
    func claimEnd() -> Bool { !endClaimed.exchange(true, ordering: .acquiringAndReleasing) }

    /// Waits for the child's hello (or refusal).
    func awaitHello(timeout: TimeInterval) -> (Frame?, Outcome?) {
        let pending = Pending()
        let registered = state.withLock { s -> Bool in
            if let early = s.early {
                pending.frame = early
                pending.done.signal()
                return true
            }
            guard s.ended == nil else { return false }
            s.pending[0] = pending
            return true
        }
        guard registered else { return (nil, .exited(state.withLock { $0.ended } ?? "it ended")) }
        if pending.done.wait(timeout: .now() + timeout) == .timedOut {
            state.withLock { _ = $0.pending.removeValue(forKey: 0) }
            return (nil, .timedOut)
        }
        if let frame = pending.frame { return (frame, nil) }
        return (nil, .exited(state.withLock { $0.ended } ?? "it ended"))
    }

    /// One call on a lane, answered within `timeout` (the watchdog) or abandoned. The services
    /// the plugin asks for during the call come on the same lane and are answered from here
    /// (HTTP on the services queue, so the watchdog keeps running while it is in flight).
    func call(_ call: RunnerMessage.Call, timeout: TimeInterval) -> Outcome {
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, timeout) * 1e9)
        let lane: Lane
        switch takeLane() {
        case .lane(let l): lane = l
        case .gone: return lostLane()
        case .failed(let why): return .reply(.init(status: PluginStatus.internal.rawValue, message: why))
        }
        guard lane.channel.send(.call, id: 0, call.encoded) else { return lostLane() }
        let operation = Int(min(call.operation, 7))
        var spin = lane.spins[operation].deadline()
        while true {
            let next = lane.reader.receive(until: deadline, spinUntil: spin)
            if spin != nil { lane.spins[operation].record(hit: lane.reader.spinHit) }
            spin = nil
            switch next {
            case .frame(let frame):
                switch frame.kind {
                case .reply:
                    state.withLock { s in if s.ended == nil { s.idleLanes.append(lane) } }
                    guard let reply = RunnerMessage.Reply(frame.body) else {
                        return .reply(.init(status: PluginStatus.internal.rawValue, message: "malformed reply from the plugin runner"))
                    }
                    return .reply(reply)
                case .service:
                    serve(frame, on: lane.channel)
                case .log:
                    log(frame)
                default:
                    break
                }
            case .timedOut:
                lane.channel.close()
                return .timedOut
            case .closed:
                return lostLane()
            }
        }
    }

    /// A lane that closed mid-call: the child is ending (every lane closes with it). A child
    /// that closed one while staying alive is broken and is killed.
    private func lostLane() -> Outcome {
        if reaped.wait(timeout: .now() + 2) == .timedOut { kill(because: "it closed a call's connection") }
        return .exited(waitForEnd())
    }

    private func waitForEnd() -> String {
        reaped.wait()
        return state.withLock { $0.ended } ?? "it ended"
    }

    private enum Take { case lane(Lane), gone, failed(String) }

    /// An idle lane, or a new one handed to the child over the control socket.
    private func takeLane() -> Take {
        let idle = state.withLock { s -> Take? in
            if s.ended != nil { return .gone }
            return s.idleLanes.popLast().map { .lane($0) }
        }
        if let idle { return idle }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            return .failed("cannot open a connection to the plugin runner: \(String(cString: strerror(errno)))")
        }
        let lane = Lane(fd: pair[0], maximumBody: channel.maximumBody)
        let sent = channel.send(.lane, id: 0, [], passing: pair[1])
        Glibc.close(pair[1])
        return sent ? .lane(lane) : .gone
    }

    /// Kills the child (SIGKILL): the reader thread then reaps it and reports the end.
    func kill(because reason: String) {
        let alive = state.withLock { s -> Bool in
            if s.killedBecause == nil { s.killedBecause = reason }
            return s.ended == nil
        }
        if alive { Glibc.kill(pid, SIGKILL) }
    }

    /// Sends the plugin's limits; the child applies them before it reads the next frame.
    func applyLimits(_ settings: IsolationSettings) {
        var w = ByteWriter()
        w.u64(UInt64(settings.memoryMegabytes)); w.u64(UInt64(settings.cpuSeconds)); w.u64(UInt64(settings.openFiles))
        channel.send(.limits, id: 0, w.bytes)
    }

    /// Asks the child to destroy its instances, call `shutdown` and exit; killed if it does not
    /// within `grace`.
    func stop(grace: TimeInterval) {
        state.withLock { s in if s.killedBecause == nil { s.killedBecause = "retired" } }
        channel.send(.shutdown, id: 0, [])
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            if !hasEnded { Glibc.kill(pid, SIGKILL) }
        }
    }

    private func readLoop() {
        let reader = FrameReader(channel)
        while case .frame(let frame) = reader.receive() {
            switch frame.kind {
            case .hello, .refused:
                let p = state.withLock { s -> Pending? in
                    let p = s.pending.removeValue(forKey: 0)
                    if p == nil { s.early = frame }
                    return p
                }
                if let p {
                    p.frame = frame
                    p.done.signal()
                }
            case .log:
                log(frame)
            case .service:
                services_queue.async { [self] in serve(frame, on: channel, queued: true) }
            default:
                break
            }
        }
        channel.close()
        let ended = reap()
        Glibc.close(channel.fd)
        let (pending, handler, killed) = state.withLock { s in
            s.ended = ended
            defer { s.pending = [:]; s.onExit = nil; s.idleLanes = [] }
            return (Array(s.pending.values), s.onExit, s.killedBecause)
        }
        reaped.leave()
        for p in pending { p.done.signal() }
        // Tests widen the gap between "its calls saw it die" and "its end is reported", which a
        // busy machine opens by descheduling this thread (see `IsolatedTransport.countEnd`).
        let delay = RunnerProcess.exitReportDelayMicroseconds.load(ordering: .relaxed)
        if delay > 0 { usleep(delay) }
        handler?(ended, killed)
    }

    /// Waits for the child to end (it closed its socket, so it is ending); kills one that lingers.
    private func reap() -> String {
        var status: Int32 = 0
        // It is usually reapable within a few hundred µs of closing its socket: look again
        // soon, then less often (a restart waits for this), up to 2 s in all.
        var pause: UInt32 = 50, waited: UInt32 = 0
        while waited < 2_000_000 {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return RunnerProcess.describe(status: status) }
            if r < 0 && errno != EINTR { return "it ended (\(String(cString: strerror(errno))))" }
            usleep(pause)
            waited += pause
            pause = min(pause * 2, 10_000)
        }
        Glibc.kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return RunnerProcess.describe(status: status)
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        return "killed by \(signalName(signal))"
    }

    static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGKILL: "SIGKILL", SIGBUS: "SIGBUS",
                                      SIGFPE: "SIGFPE", SIGILL: "SIGILL", SIGXCPU: "SIGXCPU", SIGTERM: "SIGTERM",
                                      SIGINT: "SIGINT", SIGTRAP: "SIGTRAP", SIGSYS: "SIGSYS", SIGXFSZ: "SIGXFSZ"]
        return names[s] ?? "signal \(s)"
    }

    private func log(_ frame: Frame) {
        var r = ByteReader(frame.body)
        let level = Log.Level(rawValue: Int(r.u8() ?? 1)) ?? .info
        services.log(level, r.text() ?? "", source: source.withLock { $0 })
    }

    /// Answers a service on `channel`: at once for a secret or the clock, on the services queue
    /// for HTTP (slow, and the caller waiting on a lane must keep its watchdog running).
    private func serve(_ frame: Frame, on channel: FrameChannel, queued: Bool = false) {
        guard let request = RunnerMessage.Service(frame.body) else {
            channel.send(.serviceReply, id: frame.id, [])
            return
        }
        if case .http = request, !queued {
            services_queue.async { [self] in serve(frame, on: channel, queued: true) }
            return
        }
        let src = source.withLock { $0 }
        var w = ByteWriter()
        switch request {
        case .secret(let name):
            if let value = services.secret(named: name) { w.u8(1); w.text(value) } else { w.u8(0) }
        case .http(let method, let url, let headers, let body, let timeout):
            w.bytes = RunnerMessage.encode(services.http(method: method, url: url, headers: headers, body: body,
                                                         timeoutMilliseconds: Int(timeout), source: src))
        case .now:
            w.i64(services.nowMilliseconds())
        }
        channel.send(.serviceReply, id: frame.id, w.bytes)
    }
}
