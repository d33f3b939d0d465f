import Foundation
import DurableFiles
import ImagegenJSON

/// `<data>/server.address`: where the `serve` of this data folder listens, so `health`,
/// `plugins reload` and the other client commands find it without `--listen` repeated — also
/// when it was started on another port or on port 0. Written after the listener is bound,
/// removed on a clean stop; a file left by a killed server is ignored (its pid is gone).
package enum ServerAddressFile {
    package static func path(dataDirectory: String) -> String { dataDirectory + "/server.address" }

    /// Records the address clients should use (a wildcard listener is reached on loopback).
    package static func write(listen: String, dataDirectory: String) throws {
        var address = listen
        if address.hasPrefix("0.0.0.0:") { address = "127.0.0.1:" + address.dropFirst("0.0.0.0:".count) }
        if address.hasPrefix("[::]:") { address = "[::1]:" + address.dropFirst("[::]:".count) }
        let record: JSONValue = .object(["listen": .string(address), "pid": .number(Double(getpid()))])
        try AtomicFile.write(Array(record.encoded()), to: path(dataDirectory: dataDirectory))
    }

    /// The recorded address when the server that wrote it is still running.
    package static func read(dataDirectory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(dataDirectory: dataDirectory)),
              let record = JSONValue.parse(Array(data)), let listen = record["listen"]?.string,
              let pid = record["pid"]?.int, pid > 0, kill(pid_t(pid), 0) == 0 || errno == EPERM else { return nil }
        return listen
    }

    package static func remove(dataDirectory: String, listen: String?) {
        let file = path(dataDirectory: dataDirectory)
        // Only our own record: a second server of the same folder never got this far (runner lock).
        if let data = FileManager.default.contents(atPath: file), let record = JSONValue.parse(Array(data)),
           record["pid"]?.int == Int(getpid()) {
            unlink(file)
        }
    }
}
