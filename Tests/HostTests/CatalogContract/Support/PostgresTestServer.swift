import Foundation
import Glibc
import Synchronization
import XCTest
@testable import CatalogPostgres

/// A real PostgreSQL for the tests: Debian's server binaries (`/usr/lib/postgresql/*/bin`),
/// `initdb` into a temporary folder, listening on 127.0.0.1 and a free port with its socket in
/// that folder. One cluster per test run, started on first use and stopped when the test bundle
/// finishes; each test gets a fresh database copied from a migrated template (`CREATE DATABASE …
/// TEMPLATE`), which takes milliseconds where initdb takes seconds.
///
/// PostgreSQL refuses to run as root, so under root (CI containers) the cluster belongs to
/// `nobody` and its commands run through `runuser`. A machine without PostgreSQL fails the
/// tests with what to install; nothing is skipped.
final class PostgresTestServer: @unchecked Sendable {
    let folder: String
    let port: Int
    let binaries: String
    private let databaseCounter = Mutex(0)
    static let templateName = "imagegen_template"

    private static let shared = Mutex<Result<PostgresTestServer, PostgresTestServerError>?>(nil)

    /// The run's server, started on first call (a failure to start is remembered and repeated,
    /// so every test says why instead of each retrying initdb).
    static func running() throws -> PostgresTestServer {
        try shared.withLock { slot in
            if let slot { return try slot.get() }
            let result = Result { () throws(PostgresTestServerError) -> PostgresTestServer in try start() }
            slot = result
            if case .success = result {
                XCTestObservationCenter.shared.addTestObserver(StopAtBundleEnd())
            }
            return try result.get()
        }
    }

    /// A new, empty (migrated) database; its `postgresql://` URL.
    func makeDatabase() throws -> String {
        let n = databaseCounter.withLock { $0 += 1; return $0 }
        let name = "t\(getpid())_\(n)"
        let admin = try PostgresDatabase(url: url(database: "postgres"), password: nil, location: "test admin")
        // Identifiers cannot be parameters; the name is ours (letters, digits, underscore).
        try admin.execute("CREATE DATABASE \(name) TEMPLATE \(Self.templateName)")
        return url(database: name)
    }

    func url(database: String) -> String { "postgresql://imagegen@127.0.0.1:\(port)/\(database)" }

    // MARK: - Start and stop

    private static func start() throws(PostgresTestServerError) -> PostgresTestServer {
        let binaries = try findBinaries()
        let asRoot = geteuid() == 0
        let folder = "/tmp/imagegen-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw PostgresTestServerError(message: "cannot create \(folder): \(error)")
        }
        if asRoot {
            guard chown(folder, 65534, 65534) == 0 else {
                throw PostgresTestServerError(message: "cannot give \(folder) to nobody (uid 65534) to run PostgreSQL as non-root")
            }
        }
        try run(binaries + "/initdb", ["-D", folder + "/data", "-U", "imagegen", "--auth=trust", "-E", "UTF8",
                                       "--no-locale", "--no-sync"], in: folder, asRoot: asRoot)
        var lastError: PostgresTestServerError?
        for _ in 0..<3 {  // a free port can be taken between asking and binding
            let port = LoopbackPort.free()
            let options = "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                + "-c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB"
            do {
                try run(binaries + "/pg_ctl", ["-D", folder + "/data", "-o", options, "-l", folder + "/server.log", "-w",
                                               "-t", "60", "start"], in: folder, asRoot: asRoot)
            } catch {
                lastError = error
                continue
            }
            let server = PostgresTestServer(folder: folder, port: port, binaries: binaries)
            do {
                try server.prepareTemplate()
            } catch {
                server.stop()
                throw PostgresTestServerError(message: "PostgreSQL started but the catalog template could not be made: \(error)")
            }
            return server
        }
        let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""  // try?: only for the message
        throw PostgresTestServerError(message: "\(lastError?.message ?? "pg_ctl start failed")\n\(log.suffix(2000))")
    }

    private init(folder: String, port: Int, binaries: String) {
        self.folder = folder
        self.port = port
        self.binaries = binaries
    }

    /// The template every test database copies: the catalog's migrations applied once.
    private func prepareTemplate() throws {
        let admin = try PostgresDatabase(url: url(database: "postgres"), password: nil, location: "test admin")
        try admin.execute("CREATE DATABASE \(Self.templateName)")
        do {
            _ = try PostgresCatalog(url: url(database: Self.templateName))
        }  // the connection closes here, so the template can be copied
    }

    func stop() {
        try? Self.run(binaries + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], in: folder,  // try?: stopping at the end of the run; a failure leaves a server in /tmp that the folder removal below cuts off
                      asRoot: geteuid() == 0)
        try? FileManager.default.removeItem(atPath: folder)  // try?: the folder is temporary; a leftover is harmless
    }

    private static func findBinaries() throws(PostgresTestServerError) -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])  // try?: an absent folder is the "not installed" answer below
            .compactMap { Int($0) }.sorted(by: >)
        for v in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(v)/bin/initdb")
            && FileManager.default.isExecutableFile(atPath: "\(root)/\(v)/bin/pg_ctl") {
            return "\(root)/\(v)/bin"
        }
        throw PostgresTestServerError(message: "PostgreSQL server binaries not found under \(root)/*/bin: "
                                      + "run `make deps-test` (installs Debian's postgresql and libpq-dev)")
    }

    /// Runs a server command and waits for it. Not Foundation's `Process`: its child inherits the
    /// descriptor Foundation watches for the child's exit, `pg_ctl start` hands it on to the
    /// postmaster, and the wait then lasts as long as the server. Here bash closes every inherited
    /// descriptor above stderr (Swift's Glibc does not import `closefrom`), the command gets
    /// /dev/null and a log file, and `waitpid` waits.
    private static func run(_ executable: String, _ arguments: [String], in folder: String,
                            asRoot: Bool) throws(PostgresTestServerError) {
        let command = asRoot ? ["/usr/sbin/runuser", "-u", "nobody", "--", executable] + arguments : [executable] + arguments
        let closeInherited = #"cd "$1" || exit 1; shift; for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@""#
        let argv = ["/bin/bash", "-c", closeInherited, "bash", folder] + command
        let outputPath = folder + "/command.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw PostgresTestServerError(message: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""  // try?: only for the message
            throw PostgresTestServerError(message: "\((executable as NSString).lastPathComponent) \(arguments.joined(separator: " ")) "
                                          + "failed (\(exited ? "exit \(code)" : "signal \(status & 0x7f)")): \(output.suffix(1500))")
        }
    }

    /// Stops the cluster once every test of the bundle has run.
    private final class StopAtBundleEnd: NSObject, XCTestObservation {
        func testBundleDidFinish(_ testBundle: Bundle) {
            PostgresTestServer.shared.withLock { slot in
                if case .success(let server) = slot { server.stop() }
                slot = nil
            }
        }
    }
}

struct PostgresTestServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
