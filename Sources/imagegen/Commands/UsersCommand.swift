import Foundation
import Catalog
import Crypto
import ImagegenCore
import Security

/// `imagegen users add NAME --role R --password-stdin`, `list`, `disable NAME`, `enable NAME`,
/// `passwd NAME --password-stdin`, `adult NAME --on|--off`: the people who sign in to the web app,
/// changed in the catalog directly (no server needed) and audited under the command-line user.
/// Passwords are read from standard input only (never an argument: `ps` and shell history show
/// those) and stored as Argon2id hashes. Personal data (`export`, `erase`) is
/// UsersCommand+PersonalData.swift.
struct UsersCommand: Command {
    static let name = "users"
    static let summary = "people of the web app: `users add NAME --role R --password-stdin`, `list`, `disable`, `passwd`, `adult`, `export`, `erase`"
    static let options: Set<String> = ["role"]
    static let flags: Set<String> = ["password-stdin", "on", "off", "yes"]
    static func createsDataFolder(_ positionals: [String]) -> Bool { positionals.first == "add" }

    /// One verb per case, each in its own function, so more verbs merge as one line each.
    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        switch args.positionals.first {
        case "add": return try await Self.add(args, context)
        case "list": return try Self.list(args, context)
        case "disable": return try Self.setDisabled(true, args, context)
        case "enable": return try Self.setDisabled(false, args, context)
        case "passwd": return try await Self.passwd(args, context)
        case "adult": return try Self.adult(args, context)
        case "export": return try exportPersonalData(args, context)
        case "erase": return try erasePersonalData(args, context)
        default: throw .usage(Self.usageText)
        }
    }

    static let usageText = """
        usage: imagegen users add NAME --role viewer|reviewer|operator|admin --password-stdin
               imagegen users list
               imagegen users disable NAME | enable NAME
               imagegen users passwd NAME --password-stdin
               imagegen users adult NAME --on|--off
               imagegen users export NAME
               imagegen users erase NAME --yes
        """

    static func add(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let name = try userName(args, verb: "add")
        guard let text = args.string("role") else {
            throw .usage("imagegen users add \(name) needs --role (one of \(UserRole.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let role = UserRole(rawValue: text) else {
            throw .usage("--role must be one of \(UserRole.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text.prefix(40))\"")
        }
        guard UserAccount.isValidName(name) else { throw .usage(UserError.invalidName(name).description) }
        let hash = try await hashedPassword(args, for: name)
        let catalog = try context.catalog()
        let account = try call(name) { try catalog.addUser(name: name, role: role, passwordHash: hash, now: Date()) }
        try context.security().audit.record(.userChange, subject: name, details: ["change": "added", "role": role.rawValue])
        if args.json { Output.json(account) } else { print("added \(name) (\(role.rawValue))") }
        return .success
    }

    static func list(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        let users = try context.catalogCall { try catalog.users() }
        if args.json { Output.json(users); return .success }
        Output.table(["USER", "ROLE", "STATE", "ADULT", "CREATED", "PASSWORD CHANGED"], users.map { u in
            [u.name, u.role.rawValue, u.disabled ? "disabled" : "enabled",
             u.adultVerified ? "yes (\(u.adultVerifiedBy ?? "?"))" : "no",
             RecordTime.iso(u.createdAt), RecordTime.iso(u.passwordChangedAt)]
        })
        return .success
    }

    static func setDisabled(_ disabled: Bool, _ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let name = try userName(args, verb: disabled ? "disable" : "enable")
        let catalog = try context.catalog()
        let account = try call(name) { try catalog.setDisabled(disabled, user: name, now: Date()) }
        try context.security().audit.record(.userChange, subject: name, details: ["change": disabled ? "disabled" : "enabled"])
        if args.json { Output.json(account) } else { print("\(name) \(disabled ? "disabled (its sessions ended)" : "enabled")") }
        return .success
    }

    static func passwd(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let name = try userName(args, verb: "passwd")
        let catalog = try context.catalog()
        // Unknown names fail before the password is read and hashed.
        guard try context.catalogCall({ try catalog.user(named: name) }) != nil else { throw failure(.unknown(name)) }
        let hash = try await hashedPassword(args, for: name)
        try call(name) { try catalog.setPasswordHash(ofUser: name, to: hash, now: Date()) }
        try context.security().audit.record(.userChange, subject: name, details: ["change": "password"])
        print("password of \(name) changed (its sessions ended)")
        return .success
    }

    static func adult(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let name = try userName(args, verb: "adult")
        let on = args.flags.contains("on"), off = args.flags.contains("off")
        guard on != off else { throw .usage("imagegen users adult \(name) needs exactly one of --on (confirmed adult) or --off (withdraw it)") }
        let catalog = try context.catalog()
        let account = try call(name) { try catalog.setAdultVerified(on, user: name, by: Caller.effective.principal, now: Date()) }
        try context.security().audit.record(.adultVerification, subject: name, details: ["verified": String(on)])
        if args.json { Output.json(account) } else {
            print(on ? "\(name) is marked as a verified adult (by \(Caller.effective.principal)); adult categories are shown to them"
                     : "\(name) is no longer marked as an adult; adult categories are hidden from them")
        }
        return .success
    }

    // MARK: Parts

    static func userName(_ args: Arguments, verb: String) throws(CLIError) -> String {
        guard args.positionals.count == 2 else {
            throw .usage(args.positionals.count < 2 ? "imagegen users \(verb) needs the user's NAME\n\n\(usageText)"
                                                    : "imagegen users \(verb) takes one NAME, got \(args.positionals.count - 1)")
        }
        return args.positionals[1]
    }

    /// The new password from standard input (one line; the trailing newline is not part of
    /// it), checked and hashed. Never printed, not even in an error.
    static func hashedPassword(_ args: Arguments, for name: String) async throws(CLIError) -> String {
        guard args.flags.contains("password-stdin") else {
            throw .usage("give the password of \(name) on standard input with --password-stdin "
                         + "(e.g. `printf '%s' \"$PASSWORD\" | imagegen users … --password-stdin`); it is never taken as an argument")
        }
        var data = FileHandle.standardInput.readDataToEndOfFile()
        if data.last == UInt8(ascii: "\n") { data.removeLast() }
        if data.last == UInt8(ascii: "\r") { data.removeLast() }
        guard let password = String(data: data, encoding: .utf8), !data.isEmpty else {
            throw failure(.weakPassword(data.isEmpty ? "standard input was empty; pipe the password into --password-stdin"
                                                      : "it is not UTF-8 text"))
        }
        if let problem = PasswordRules.problem(password) { throw failure(.weakPassword(problem)) }
        // Argon2id takes ~0.1 s and 64 MiB: off the cooperative pool like the server does.
        let hash: String?
        do { hash = try await BlockingWork.run({ PasswordHash.hash(password) }) } catch {
            throw .failed("the password could not be hashed: \(error)", .failure)
        }
        guard let hash else { throw .failed("the password could not be hashed (out of memory?)", .failure) }
        return hash
    }

    /// A catalog call whose `UserError` is told in command-line terms.
    @discardableResult
    static func call<T>(_ name: String, _ body: () throws -> T) throws(CLIError) -> T {
        do { return try body() } catch let e as UserError { throw failure(e) } catch {
            throw .failed("catalog: \(error)", .failure)
        }
    }

    static func failure(_ error: UserError) -> CLIError {
        let message: String
        switch error {
        case .exists(let n): message = "user \(n) exists already; change its password with `imagegen users passwd \(n) --password-stdin`"
        case .unknown(let n): message = "no user \(n.prefix(64)); list them with `imagegen users list`"
        default: message = error.description
        }
        return .failed(message, ExitCode(error.meaning))
    }
}
