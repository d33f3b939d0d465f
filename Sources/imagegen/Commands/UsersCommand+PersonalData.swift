import Foundation
import Catalog
import ImagegenCore
import Operations

/// `imagegen users export NAME`: the account, sessions, decisions and audit entries of one person
/// as JSON. `imagegen users erase NAME --yes`: their name replaced by a pseudonym everywhere
/// (catalog and audit log, which still verifies), password hash, sessions and addresses dropped.
extension UsersCommand {
    func exportPersonalData(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        guard args.positionals.count == 2 else { throw .usage("usage: imagegen users export NAME") }
        let service = try personalData(context)
        do {
            Output.json(try service.export(user: args.positionals[1], now: Date()))
            return .success
        } catch let error as UserError {
            throw .failed(error.description, ExitCode(error.meaning))
        } catch {
            throw .failed("cannot export \(args.positionals[1]): \(error)", .failure)
        }
    }

    func erasePersonalData(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        guard args.positionals.count == 2 else { throw .usage("usage: imagegen users erase NAME --yes") }
        let name = args.positionals[1]
        guard args.flags.contains("yes") else {
            throw .usage("erasing \(name) cannot be undone: their name is replaced by a pseudonym in the catalog and the audit log, "
                         + "their password and sessions are deleted. Export first (`imagegen users export \(name)`), then add --yes")
        }
        let service = try personalData(context)
        do {
            let erasure = try service.erase(user: name, now: Date())
            if args.json { Output.json(erasure); return .success }
            print("\(name) erased: now \(erasure.pseudonym) (\(erasure.auditEntriesChanged) audit entries named them; "
                  + "\(erasure.auditEntriesResigned) later ones re-signed). `imagegen audit verify` checks the log.")
            return .success
        } catch let error as UserError {
            throw .failed(error.description, ExitCode(error.meaning))
        } catch {
            throw .failed("cannot erase \(name): \(error)", .failure)
        }
    }

    private func personalData(_ context: CommandContext) throws(CLIError) -> PersonalDataService {
        PersonalDataService(catalog: try context.catalog(), audit: try context.security().audit)
    }
}
