import Foundation
import PluginKit

/// The job reference of a Stability generation. Generation is synchronous, so by the time
/// the host persists the reference the images exist: they travel inside it (base64), and
/// `poll` and `fetch` need no request at all — there is nothing to resume at Stability.
struct StabilityJobRef: Sendable {
    struct Image: Sendable {
        var base64: String
        var mime: String
        var seed: UInt32?
    }

    var requestID: String?
    var images: [Image]
    /// A final outcome other than success, when the generation did not yield usable images.
    var state: PollResult.State
    var error: ProviderError?

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "v": 1, "state": .string(state.rawValue),
            "images": .array(images.map { img in
                var i: [String: JSONValue] = ["data": .string(img.base64), "mime": .string(img.mime)]
                if let s = img.seed { i["seed"] = .number(Double(s)) }
                return .object(i)
            }),
        ]
        if let requestID { o["request_id"] = .string(requestID) }
        if let error { o["error"] = ["status": .number(Double(error.status.rawValue)), "message": .string(error.message)] }
        return .object(o)
    }

    init(requestID: String?, images: [Image], state: PollResult.State, error: ProviderError? = nil) {
        self.requestID = requestID
        self.images = images
        self.state = state
        self.error = error
    }

    init(_ v: JSONValue) throws(ProviderError) {
        guard let stateText = v["state"]?.string, let state = PollResult.State(rawValue: stateText), let images = v["images"]?.array else {
            throw ProviderError(.invalidRequest, "stabilityai: the job reference has no state/images; it was not made by this plugin")
        }
        self.state = state
        requestID = v["request_id"]?.string
        self.images = images.compactMap { i in
            i["data"]?.string.map { Image(base64: $0, mime: i["mime"]?.string ?? "image/png", seed: i["seed"]?.number.map { UInt32($0) }) }
        }
        if let e = v["error"], let code = e["status"]?.number, let status = ProviderStatus(rawValue: Int32(code)) {
            error = ProviderError(status, e["message"]?.string ?? "")
        }
    }

    var pollResult: PollResult {
        PollResult(state: state, ref: json, progress: state == .succeeded ? 1 : nil,
                   outputs: state == .succeeded ? images.indices.map { PollResult.Output(index: $0, mime: images[$0].mime) } : [],
                   seed: images.first?.seed, error: error)
    }
}
