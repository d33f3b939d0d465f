import Foundation
import Host
import ImagegenConfig
import ImagegenJSON
import Server

/// The client for the server these folders belong to: the listen address from `--listen`, else
/// the one the data folder's running `serve` recorded, else the config's `server.listen`; the
/// token from the environment.
enum ServerClientFactory {
    static func client(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ServerClient {
        do {
            let configuration = try HostConfiguration.load(path: context.paths.config)
            return ServerClient(settings: try ServerSettings(configuration: configuration, listen: args.string("listen")
                ?? ServerAddressFile.read(dataDirectory: context.paths.data)))
        } catch let e as ConfigurationError {
            throw .usage(e.description)
        } catch let e as ServerSettingsError {
            throw .usage(e.description)
        } catch {
            throw .failed("\(error)", .failure)
        }
    }

    /// One request to the running server, its answer parsed: what `health`, `plugins --listen`
    /// and `plugins reload` all do.
    static func json(_ method: String, _ path: String, _ args: Arguments, _ context: CommandContext) async throws(CLIError) -> JSONValue {
        let client = try client(args, context)
        let data: Data
        do {
            data = try await client.call(method, path)
        } catch {
            throw map(error)
        }
        guard let answer = JSONValue.parse(Array(data)) else { throw .failed("the server's answer is not JSON", .failure) }
        return answer
    }

    static func map(_ error: ServerClientError) -> CLIError {
        .failed(error.description, .failure)
    }
}
