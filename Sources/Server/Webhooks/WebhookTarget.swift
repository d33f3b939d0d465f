import Foundation
import ImagegenJSON

/// One receiver of events (`server.webhooks`): where to POST, which event types (all when
/// none are listed), and the environment variable holding its HMAC secret; the secret itself is
/// never in the config, and an unset variable is refused at start rather than sending unsigned.
package struct WebhookTarget: Sendable, Equatable {
    package var url: URL
    package var events: [String]
    package var secretEnvironmentName: String
    package var secret: [UInt8]
    package var maxAttempts: Int

    package func wants(_ type: String) -> Bool { events.isEmpty || events.contains(type) }

    /// scheme://host:port — what logs and errors may show of the URL.
    package var endpoint: String {
        var text = "\(url.scheme ?? "http")://\(url.host ?? "?")"
        if let port = url.port { text += ":\(port)" }
        return text
    }

    static let keys = ["url", "events", "secret_env", "max_attempts"]

    /// `webhooks: [{ url: "https://…", secret_env: "IMAGEGEN_HOOK_SECRET", events: ["job.finished"], max_attempts: 8 }]`.
    static func parse(_ value: JSONValue?, environment: [String: String]) throws(ServerSettingsError) -> [WebhookTarget] {
        guard let value else { return [] }
        guard let list = value.array else {
            throw .invalidValue(key: "webhooks", detail: "must be a list of { url, secret_env, events }")
        }
        var targets: [WebhookTarget] = []
        for (index, item) in list.enumerated() {
            let key = "webhooks[\(index)]"
            guard let entry = item.object else { throw .invalidValue(key: key, detail: "must be an object { url, secret_env, events }") }
            for name in entry.keys.sorted() where !keys.contains(name) {
                throw .invalidValue(key: "\(key).\(name)", detail: "unknown key; known: \(keys.joined(separator: ", "))")
            }
            guard let text = entry["url"]?.string, let url = URL(string: text),
                  ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw .invalidValue(key: "\(key).url", detail: "must be an http(s) URL")
            }
            guard let env = entry["secret_env"]?.string, !env.isEmpty, !env.contains("=") else {
                throw .invalidValue(key: "\(key).secret_env", detail: "must name the environment variable holding the signing secret")
            }
            guard let secret = environment[env], !secret.isEmpty else {
                throw .invalidValue(key: "\(key).secret_env", detail: "the environment variable \(env) is not set; export it (a long random string) or remove the webhook")
            }
            var events: [String] = []
            if let given = entry["events"] {
                guard let names = given.array?.compactMap(\.string), names.count == given.array?.count,
                      names.allSatisfy({ WebhookTarget.eventTypes.contains($0) }) else {
                    throw .invalidValue(key: "\(key).events", detail: "must list event types among \(WebhookTarget.eventTypes.joined(separator: ", "))")
                }
                events = names
            }
            var attempts = 8
            if let n = entry["max_attempts"] {
                guard let count = n.number, (1...50).contains(count), count == count.rounded() else {
                    throw .invalidValue(key: "\(key).max_attempts", detail: "must be a whole number 1…50")
                }
                attempts = Int(count)
            }
            targets.append(WebhookTarget(url: url, events: events, secretEnvironmentName: env, secret: Array(secret.utf8), maxAttempts: attempts))
        }
        return targets
    }

    /// Every event type the server publishes.
    package static let eventTypes = ["job.queued", "job.cancel_requested", "job.finished", "image.stored", "image.reviewed",
                                     "image.reserved", "image.released"]
}
