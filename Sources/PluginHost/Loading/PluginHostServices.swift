import Foundation
import ImagegenCore

/// What the `imagegen_host` table offers a plugin, behind one protocol: in the host the real
/// services (`LocalHostServices`); in an isolated plugin's child, proxies that ask the host over
/// the socket (`ProxiedHostServices`), so log lines, secrets, HTTP and the clock are the
/// host's either way.
package protocol PluginHostServices: Sendable {
    func log(_ level: Log.Level, _ text: String, source: String)
    func secret(named name: String) -> String?
    func http(method: String, url: String, headers: [(String, String)], body: Data?, timeoutMilliseconds: Int,
              source: String) -> Result<PluginHTTPClient.Response, PluginHTTPClient.Failure>
    func nowMilliseconds() -> Int64
    /// True when `nowMilliseconds` is the system clock: an isolated plugin's child then reads
    /// the clock itself instead of asking the host over the socket.
    var clockIsSystem: Bool { get }
}

extension PluginHostServices {
    package var clockIsSystem: Bool { false }
}

/// The host's own services.
package struct LocalHostServices: PluginHostServices {
    let logger: Log
    let secrets: any SecretSource
    let client: PluginHTTPClient
    /// nil: the system clock.
    let clock: (@Sendable () -> Int64)?

    package init(log: Log, secrets: any SecretSource, http: PluginHTTPClient, clock: (@Sendable () -> Int64)? = nil) {
        self.logger = log
        self.secrets = secrets
        self.client = http
        self.clock = clock
    }

    package func log(_ level: Log.Level, _ text: String, source: String) { logger.log(level, text, source: source) }
    package func secret(named name: String) -> String? { secrets.secret(named: name) }
    package func http(method: String, url: String, headers: [(String, String)], body: Data?, timeoutMilliseconds: Int,
                      source: String) -> Result<PluginHTTPClient.Response, PluginHTTPClient.Failure> {
        client.perform(method: method, url: url, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds, source: source)
    }
    package func nowMilliseconds() -> Int64 { clock?() ?? Int64(Date().timeIntervalSince1970 * 1000) }
    package var clockIsSystem: Bool { clock == nil }
}
