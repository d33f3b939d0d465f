import Host
import ImagegenConfig
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

    static func map(_ error: ServerClientError) -> CLIError {
        .failed(error.description, .failure)
    }
}
