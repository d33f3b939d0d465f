import Foundation
import Host
import Security

/// `imagegen audit [--since D] [--action A] [--limit N] [--json]` lists the audit log;
/// `imagegen audit verify [--head SEQ:MAC]` checks its chain and names the first bad entry.
struct AuditCommand: Command {
    static let name = "audit"
    static let summary = "the tamper-evident audit log: list (`--since D`, `--action A`), `verify [--head SEQ:MAC]`"
    static let options: Set<String> = ["since", "action", "limit", "head"]
    static let flags: Set<String> = []

    struct Verification: Codable {
        var intact: Bool
        var entries: Int?
        var lastSeq: Int?
        var head: String?
        var problem: String?
        var line: Int?
        var seq: Int?
        enum CodingKeys: String, CodingKey {
            case intact, entries, head, problem, line, seq
            case lastSeq = "last_seq"
        }
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let security = try context.security()
        let reader = AuditLogReader(path: security.audit.path)
        switch args.positionals.first {
        case nil, "list":
            let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
            var actions: Set<AuditAction>?
            if let a = args.string("action") {
                let parsed = a.split(separator: ",").map { String($0) }
                let known = parsed.compactMap(AuditAction.init(rawValue:))
                guard known.count == parsed.count else {
                    throw .usage("--action must be one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                actions = Set(known)
            }
            let listing: AuditListing
            do { listing = try reader.entries(since: since, actions: actions) } catch { throw .failed("\(error)", .failure) }
            var entries = listing.entries
            if let limit = try args.int("limit") { entries = Array(entries.suffix(max(0, limit))) }
            if args.json { Output.json(entries) } else {
                Output.table(["SEQ", "TIME", "PRINCIPAL", "ACTION", "SUBJECT", "DETAILS"], entries.map { e in
                    [String(e.seq), e.time, e.principal, e.action.rawValue, e.subject,
                     e.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
                })
            }
            if !listing.unreadableLines.isEmpty {
                Output.error("\(listing.unreadableLines.count) line(s) are not valid entries (first: line \(listing.unreadableLines[0])); run `imagegen audit verify`")
            }
            return .success
        case "verify":
            guard let ring = security.keyRing else {
                throw .failed("cannot verify the audit log without the master key: \(security.prompts.lockedReason ?? "no key")", .failure)
            }
            var head: (seq: Int, mac: String)?
            if let text = args.string("head") {
                let parts = text.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let seq = Int(parts[0]) else { throw .usage("--head must be SEQ:MAC as printed by `imagegen audit verify`") }
                head = (seq, String(parts[1]))
            }
            let result: AuditVerification
            do { result = try reader.verify(keyRing: ring, expectedHead: head) } catch { throw .failed("\(error)", .failure) }
            switch result {
            case .intact(let entries, let lastSeq, let lastMAC):
                let headText = lastMAC.map { "\(lastSeq):\($0)" }
                if args.json {
                    Output.json(Verification(intact: true, entries: entries, lastSeq: lastSeq, head: headText))
                } else {
                    print("\(result) (\(security.audit.path))")
                    if let headText { print("head: \(headText)  (record it elsewhere; `audit verify --head` then detects a cut-off tail)") }
                }
                return .success
            case .broken(let violation):
                if args.json {
                    Output.json(Verification(intact: false, problem: violation.description, line: violation.line, seq: violation.seq))
                    return .failure
                }
                throw .failed("audit log \(security.audit.path) is NOT intact: \(violation)", .failure)
            }
        case let other?:
            throw .usage("unknown audit action \"\(other)\": use list or verify")
        }
    }
}
