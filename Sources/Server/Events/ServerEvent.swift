import Foundation

/// One change the web app and webhooks hear about: a job queued, finished or cancelled, an
/// image stored, reviewed, reserved or released. `id` grows by one per event within a server
/// process (SSE `id:`); `data` holds ids and states only, never prompts or secrets.
struct ServerEvent: Sendable, Encodable {
    var id: Int
    var type: String
    var time: Date
    var data: [String: String]

    /// The image category the event concerns, if any (adult ones are hidden from some people).
    var category: String? { data["category"] }
}
