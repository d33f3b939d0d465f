import Foundation
import Host
import Composition

/// `imagegen catalog migrate --to postgresql://user@host:5432/db [--batch N] [--json]`: copies
/// this data folder's SQLite catalog into an empty PostgreSQL catalog (resumable: run it again
/// after an interruption), then verifies every table by row count and checksum (docs/scale-out.md).
struct CatalogCommand: Command {
    static let name = "catalog"
    static let summary = "`catalog migrate --to postgresql://…`: copy the SQLite catalog to PostgreSQL"
    static let options: Set<String> = ["to", "batch"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        guard args.positionals.first == "migrate" else {
            throw .usage("unknown catalog action \"\(args.positionals.first ?? "")\": use `imagegen catalog migrate --to postgresql://…`")
        }
        guard let url = args.string("to") else { throw .usage("catalog migrate needs --to postgresql://user@host:5432/db") }
        let batch = try args.int("batch") ?? 1000
        guard (1...100_000).contains(batch) else { throw .usage("--batch must be 1…100000 rows, got \(batch)") }
        let security = try context.security()
        let reports: [CatalogMigrationReport]
        do {
            reports = try HostComposition.migrateCatalog(paths: context.paths, security: security, to: url, batch: batch,
                                                         progress: { if !args.json { print($0) } })
        } catch {
            throw .failed("catalog migrate: \(error)", .failure)
        }
        if args.json {
            Output.json(reports)
        } else {
            Output.table(["TABLE", "ROWS", "COPIED NOW", "SHA-256"], reports.map { [$0.table, "\($0.rows)", "\($0.copiedNow)", $0.sha256] })
            print("verified: every table has the same rows in PostgreSQL (counts and checksums match)")
        }
        return .success
    }
}
