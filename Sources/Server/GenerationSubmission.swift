import Foundation
import ImagegenJSON
import ImagegenCore
import Pipeline

/// The body of `POST /v1/generations`, checked field by field so that a typo or a wrong type
/// is a 400 that names the field, never a silently ignored value.
///
/// From a prompt:
/// ```json
/// { "model": "preview", "prompt": "a red teapot", "negative_prompt": "blurry",
///   "parameters": { "width": 512, "height": 512, "steps": 30, "guidance_scale": 7.5, "seed": 42 },
///   "category": "product", "variations": 2, "tags": ["kitchen"], "priority": 5,
///   "deadline": 120, "wait": 30 }
/// ```
/// From a template (or the first template of `category`): `{ "template": "product-hero",
/// "variations": 4, "profile": "shop", "parameters": { "seed": 7 }, "wait": 30 }` — the
/// prompt, size and tags come from the template.
///
/// `deadline` is seconds from now or an ISO 8601 time; `wait` is how many seconds the call
/// may block for the result (absent or 0: answer 202 at once with the queued jobs).
struct GenerationSubmission: Sendable {
    enum Source: Sendable {
        case prompt(GenerationRequest)
        case template(TemplateRequest)
    }

    static let knownKeys = ["model", "template", "profile", "prompt", "negative_prompt", "parameters", "category",
                            "variations", "tags", "priority", "deadline", "wait"]
    static let parameterKeys = ["width", "height", "steps", "guidance_scale", "seed"]
    /// Longest a request may block; a longer job is followed with `GET /v1/jobs/{id}`.
    static let maximumWait = 300.0

    var source: Source
    var wait: Double

    init(_ body: JSONValue, now: Date) throws(APIError) {
        guard let o = body.object else { throw .invalidRequest("the body must be a JSON object") }
        for key in o.keys.sorted() where !GenerationSubmission.knownKeys.contains(key) {
            throw .invalidRequest("unknown field \"\(key)\". Known fields: \(GenerationSubmission.knownKeys.joined(separator: ", "))")
        }
        let fields = FieldReader(object: o, prefix: "")
        var parameters = FieldReader(object: [:], prefix: "parameters.")
        if let p = o["parameters"], !p.isNull {
            guard let obj = p.object else { throw .invalidRequest("parameters must be an object {width, height, steps, guidance_scale, seed}") }
            for key in obj.keys.sorted() where !GenerationSubmission.parameterKeys.contains(key) {
                throw .invalidRequest("unknown field \"parameters.\(key)\". Known: \(GenerationSubmission.parameterKeys.joined(separator: ", "))")
            }
            parameters = FieldReader(object: obj, prefix: "parameters.")
        }

        var deadlineSeconds: Double?
        if let d = o["deadline"], !d.isNull {
            if let seconds = d.number, seconds.isFinite {
                deadlineSeconds = seconds
            } else if let text = d.string, let at = APIEncoding.parseTime(text) {
                let seconds = at.timeIntervalSince(now)
                guard seconds > 0 else { throw .invalidRequest("deadline \(text) is in the past") }
                deadlineSeconds = seconds
            } else {
                throw .invalidRequest("deadline must be a number of seconds from now, or an ISO 8601 time such as 2025-05-01T12:00:00Z")
            }
        }
        wait = try fields.number("wait") ?? 0
        guard (0...GenerationSubmission.maximumWait).contains(wait) else {
            throw .invalidRequest("wait must be within 0...\(Int(GenerationSubmission.maximumWait)) seconds; follow longer jobs with GET /v1/jobs/{id}")
        }
        let model = try fields.string("model")
        let category = try fields.string("category")
        let priority = try fields.int32("priority")

        if let prompt = try fields.string("prompt") {
            if o["template"] != nil || o["profile"] != nil {
                throw .invalidRequest("give either a prompt or a template (with an optional profile), not both")
            }
            var tags: [String]?
            if let t = o["tags"], !t.isNull {
                guard let list = t.array, list.allSatisfy({ $0.string != nil }) else { throw .invalidRequest("tags must be a list of strings") }
                tags = list.compactMap(\.string)
            }
            source = .prompt(GenerationRequest(
                model: model, prompt: prompt, negativePrompt: try fields.string("negative_prompt"),
                width: try parameters.int32("width"), height: try parameters.int32("height"), steps: try parameters.int32("steps"),
                guidanceScale: try parameters.number("guidance_scale"), seed: try parameters.integer("seed"),
                category: category, variations: try fields.int32("variations"), tags: tags, priority: priority,
                deadlineSeconds: deadlineSeconds))
        } else {
            let template = try fields.string("template")
            guard template != nil || category != nil else {
                throw .invalidRequest("send a prompt (\"prompt\": \"...\"), or a template or category to generate from templates")
            }
            for key in ["negative_prompt", "tags"] where o[key] != nil {
                throw .invalidRequest("\(key) comes from the template; send a prompt instead to set it")
            }
            for key in ["width", "height", "steps", "guidance_scale"] where parameters.object[key] != nil {
                throw .invalidRequest("parameters.\(key) comes from the template; only parameters.seed may be given with one")
            }
            let seed = try parameters.integer("seed")
            if let seed, seed < 0 { throw .invalidRequest("parameters.seed must not be negative") }
            source = .template(TemplateRequest(
                template: template, category: category, variations: Int(try fields.int32("variations") ?? 1), model: model,
                seed: seed.map { UInt64($0) }, profile: try fields.string("profile"), priority: priority,
                deadlineSeconds: deadlineSeconds))
        }
    }

    /// Typed reads of one JSON object's fields, with errors that name the field.
    struct FieldReader {
        var object: [String: JSONValue]
        var prefix: String

        func string(_ key: String) throws(APIError) -> String? {
            guard let v = object[key], !v.isNull else { return nil }
            guard let s = v.string else { throw .invalidRequest("\(prefix)\(key) must be a string") }
            return s
        }

        func number(_ key: String) throws(APIError) -> Double? {
            guard let v = object[key], !v.isNull else { return nil }
            guard let n = v.number, n.isFinite else { throw .invalidRequest("\(prefix)\(key) must be a number") }
            return n
        }

        func integer(_ key: String) throws(APIError) -> Int64? {
            guard let n = try number(key) else { return nil }
            guard n == n.rounded(), abs(n) < 1e15 else { throw .invalidRequest("\(prefix)\(key) must be a whole number") }
            return Int64(n)
        }

        /// A whole number small enough for a count or a size.
        func int32(_ key: String) throws(APIError) -> Int? {
            guard let v = try integer(key) else { return nil }
            guard let i = Int32(exactly: v) else { throw .invalidRequest("\(prefix)\(key) is out of range") }
            return Int(i)
        }
    }
}
