import Foundation

/// Where the host reads and writes. Resolved once from flags, then the environment
/// (`IMAGEGEN_CONFIG`, `IMAGEGEN_PLUGINS`, `IMAGEGEN_DATA`), then defaults.
public struct HostPaths: Sendable, Equatable {
    /// nil: no config file, the embedded defaults apply.
    public var config: String?
    public var plugins: String
    public var data: String

    public init(config: String? = nil, plugins: String? = nil, data: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        self.data = absolute(data ?? environment["IMAGEGEN_DATA"] ?? "data")
        self.plugins = absolute(plugins ?? environment["IMAGEGEN_PLUGINS"] ?? "plugins")
        if let c = config ?? environment["IMAGEGEN_CONFIG"] {
            self.config = absolute(c)
        } else {
            // A config.json5 in the data folder is picked up without a flag.
            let inData = self.data + "/config.json5"
            self.config = FileManager.default.fileExists(atPath: inData) ? inData : nil
        }
    }

    public var catalog: String { data + "/catalog.sqlite" }
    public var content: String { data + "/content" }
}
