import Foundation
import Host
import Synchronization
import Server

/// `imagegen serve [--listen 127.0.0.1:8080] [--grace SECONDS]`: the long-running host. It
/// runs until SIGTERM or SIGINT, then stops accepting, lets in-flight jobs finish within the
/// grace period (the rest resume on the next start) and exits 0. A second signal exits at
/// once (exit 1); unfinished jobs still resume on the next start.
struct ServeCommand: Command {
    static let name = "serve"
    static let summary = "run the host: HTTP API, job runner, live plugin folder (SIGTERM/SIGINT stop it gracefully)"
    static let options: Set<String> = ["listen", "grace"]
    static let flags: Set<String> = []
    static func createsDataFolder(_ positionals: [String]) -> Bool { true }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let log = context.log
        if !args.flags.contains("quiet") && !args.flags.contains("verbose") { log.setMinimum(.info) }
        let grace = try args.double("grace")
        if let grace, !(0...3600).contains(grace) { throw .usage("--grace must be within 0...3600 seconds") }
        let server: HostServer
        do {
            server = try HostServer(paths: context.paths, listen: args.string("listen"), log: log)
        } catch {
            switch error {
            case .configuration, .settings: throw .usage(error.description)
            default: throw .failed(error.description, .failure)
            }
        }
        // Before start: a signal that arrives while starting still shuts down cleanly.
        let received = Atomic<Int>(0)
        let signals = ShutdownSignals { number in
            if received.add(1, ordering: .relaxed).newValue == 1 {
                log.info("\(ShutdownSignals.name(number)) received: shutting down")
                Task { await server.stop(grace: grace) }
            } else {
                log.warning("second \(ShutdownSignals.name(number)): exiting now; unfinished jobs resume on the next start")
                exit(ExitCode.failure.rawValue)
            }
        }
        do {
            try await server.start()
        } catch {
            await server.stop(grace: 0)
            throw .failed(error.description, .failure)
        }
        await server.waitUntilStopped()
        withExtendedLifetime(signals) {}
        return .success
    }
}
