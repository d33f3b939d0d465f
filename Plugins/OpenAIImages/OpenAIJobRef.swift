import Foundation
import PluginKit

/// The job reference of an OpenAI generation. The Images API is synchronous and has no task
/// id ("if the client disconnects the result is lost while the request is still billed"), so
/// by the time the host persists the reference the images exist: they travel inside it as the
/// base64 OpenAI returned, with the token usage that prices them, and `poll`/`fetch` need no
/// request.
struct OpenAIJobRef: Sendable {
    var requestID: String?
    var images: [String]
    var mime: String
    var usage: TokenUsage?
    var state: PollResult.State
    var error: ProviderError?

    var json: JSONValue {
        var o: [String: JSONValue] = ["v": 1, "state": .string(state.rawValue), "mime": .string(mime),
                                      "images": .array(images.map { .string($0) })]
        if let requestID { o["request_id"] = .string(requestID) }
        if let usage { o["usage"] = usage.json }
        if let error { o["error"] = ["status": .number(Double(error.status.rawValue)), "message": .string(error.message)] }
        return .object(o)
    }

    init(requestID: String?, images: [String], mime: String, usage: TokenUsage?, state: PollResult.State, error: ProviderError? = nil) {
        self.requestID = requestID
        self.images = images
        self.mime = mime
        self.usage = usage
        self.state = state
        self.error = error
    }

    init(_ v: JSONValue) throws(ProviderError) {
        guard let stateText = v["state"]?.string, let state = PollResult.State(rawValue: stateText), let images = v["images"]?.array else {
            throw ProviderError(.invalidRequest, "openai: the job reference has no state/images; it was not made by this plugin")
        }
        self.state = state
        self.images = images.compactMap(\.string)
        mime = v["mime"]?.string ?? "image/png"
        requestID = v["request_id"]?.string
        usage = TokenUsage(v["usage"])
        if let e = v["error"], let code = e["status"]?.number, let status = ProviderStatus(rawValue: Int32(code)) {
            error = ProviderError(status, e["message"]?.string ?? "")
        }
    }

    var pollResult: PollResult {
        var r = PollResult(state: state, ref: json, progress: state == .succeeded ? 1 : nil,
                           outputs: state == .succeeded ? images.indices.map { PollResult.Output(index: $0, mime: mime) } : [],
                           error: error)
        r.usage = usage
        return r
    }
}
