import Foundation
import ImagegenJSON

/// The body of `POST /v1/generations`, checked field by field so that a typo or a wrong type
/// is a 400 that names the field, never a silently ignored value.
///
/// ```json
/// { "model": "preview", "prompt": "a red teapot", "negative_prompt": "blurry",
///   "parameters": { "width": 512, "height": 512, "steps": 30, "guidance_scale": 7.5, "seed": 42 },
///   "category": "product", "variations": 2, "tags": ["kitchen"], "priority": 5,
///   "deadline": 120, "wait": 30 }
/// ```
/// `deadline` is seconds from now or an ISO 8601 time; `wait` is how many seconds the call
/// may block for the result (absent or 0: answer 202 at once with the queued jobs).
struct GenerationSubmission: Sendable {
    static let knownKeys = ["model", "template", "prompt", "negative_prompt", "parameters", "category", "variations",
                            "tags", "priority", "deadline", "wait"]
    static let parameterKeys = ["width", "height", "steps", "guidance_scale", "seed"]
    /// Longest a request may block; a longer job is followed with `GET /v1/jobs/{id}`.
    static let maximumWait = 300.0

    var request: GenerationRequest
    var template: String?
    var wait: Double

    init(_ body: JSONValue, now: Date) throws(APIError) {
        guard let o = body.object else { throw .invalidRequest("the body must be a JSON object") }
        for key in o.keys.sorted() where !GenerationSubmission.knownKeys.contains(key) {
            throw .invalidRequest("unknown field \"\(key)\". Known fields: \(GenerationSubmission.knownKeys.joined(separator: ", "))")
        }
        func string(_ key: String, in obj: [String: JSONValue] = o) throws(APIError) -> String? {
            guard let v = obj[key], !v.isNull else { return nil }
            guard let s = v.string else { throw .invalidRequest("\(key) must be a string") }
            return s
        }
        func integer(_ key: String, in obj: [String: JSONValue], prefix: String = "") throws(APIError) -> Int64? {
            guard let v = obj[key], !v.isNull else { return nil }
            guard let n = v.number, n.isFinite, n == n.rounded(), abs(n) < 1e15 else {
                throw .invalidRequest("\(prefix)\(key) must be a whole number")
            }
            return Int64(n)
        }
        func number(_ key: String, in obj: [String: JSONValue], prefix: String = "") throws(APIError) -> Double? {
            guard let v = obj[key], !v.isNull else { return nil }
            guard let n = v.number, n.isFinite else { throw .invalidRequest("\(prefix)\(key) must be a number") }
            return n
        }

        template = try string("template")
        let prompt = try string("prompt")
        if template == nil && prompt == nil {
            throw .invalidRequest("prompt is required (or a template): send { \"prompt\": \"...\" }")
        }
        var parameters: [String: JSONValue] = [:]
        if let p = o["parameters"], !p.isNull {
            guard let obj = p.object else { throw .invalidRequest("parameters must be an object {width, height, steps, guidance_scale, seed}") }
            for key in obj.keys.sorted() where !GenerationSubmission.parameterKeys.contains(key) {
                throw .invalidRequest("unknown field \"parameters.\(key)\". Known: \(GenerationSubmission.parameterKeys.joined(separator: ", "))")
            }
            parameters = obj
        }
        var tags: [String]?
        if let t = o["tags"], !t.isNull {
            guard let list = t.array, list.allSatisfy({ $0.string != nil }) else { throw .invalidRequest("tags must be a list of strings") }
            tags = list.compactMap(\.string)
        }
        func small(_ v: Int64?, _ name: String) throws(APIError) -> Int? {
            guard let v else { return nil }
            guard let i = Int32(exactly: v) else { throw .invalidRequest("\(name) is out of range") }
            return Int(i)
        }

        var deadlineSeconds: Double?
        if let d = o["deadline"], !d.isNull {
            if let seconds = d.number, seconds.isFinite {
                deadlineSeconds = seconds
            } else if let text = d.string, let at = APIEncoding.parseTime(text) {
                deadlineSeconds = at.timeIntervalSince(now)
                guard deadlineSeconds! > 0 else { throw .invalidRequest("deadline \(text) is in the past") }
            } else {
                throw .invalidRequest("deadline must be a number of seconds from now, or an ISO 8601 time such as 2025-05-01T12:00:00Z")
            }
        }
        let wait = try number("wait", in: o) ?? 0
        guard (0...GenerationSubmission.maximumWait).contains(wait) else {
            throw .invalidRequest("wait must be within 0...\(Int(GenerationSubmission.maximumWait)) seconds; follow longer jobs with GET /v1/jobs/{id}")
        }
        self.wait = wait

        request = GenerationRequest(
            model: try string("model"), prompt: prompt ?? "", negativePrompt: try string("negative_prompt"),
            width: try small(try integer("width", in: parameters, prefix: "parameters."), "parameters.width"),
            height: try small(try integer("height", in: parameters, prefix: "parameters."), "parameters.height"),
            steps: try small(try integer("steps", in: parameters, prefix: "parameters."), "parameters.steps"),
            guidanceScale: try number("guidance_scale", in: parameters, prefix: "parameters."),
            seed: try integer("seed", in: parameters, prefix: "parameters."),
            category: try string("category"), variations: try small(try integer("variations", in: o), "variations"),
            tags: tags, priority: try small(try integer("priority", in: o), "priority"), deadlineSeconds: deadlineSeconds)
    }
}
