import Foundation
import PluginKit

/// `imagegen.reconcile/1` for Replicate, which takes no client-chosen prediction id and has no
/// idempotency key. The plugin finds the prediction of an interrupted submit among the
/// account's recent predictions (`GET /v1/predictions?created_after=…`, newest first, 100 a
/// page, `input` included) by what it sent:
///
/// - the same model (and version), and
/// - the same input on every field the plugin sets. A request without a seed gets one derived
///   from the host's job id (`ReplicateInput.seed(forJob:)`), so the input names the job;
/// - for `vary`/`upscale`, the same input image: the identical `data:` URL, or an uploaded
///   file whose metadata names the job.
///
/// Limits (docs/providers.md): only predictions created within `reconcile_window_s` are
/// searched; a prediction whose input Replicate already deleted (`data_removed`, an hour after
/// an API run) or a window too long to page through cannot be ruled out, and two matches (two
/// jobs with the same explicit seed, prompt and parameters, or one image upscaled twice) cannot
/// be told apart: in those cases the plugin does not answer and the host keeps today's
/// behaviour (`submit_outcome_unknown`) rather than risk paying twice.
extension ReplicateProvider {
    static let maxReconcilePages = 20

    public func reconcile(_ r: GenerationRequest) throws(ProviderError) -> PollResult? {
        try client.requireKey()
        let model = try ReplicateModelID(parsing: r.model)
        if r.kind != .generate, r.inputImage?.bytes == nil {
            throw ProviderError(.invalidRequest, "Replicate: a \(r.kind.rawValue) is found again by its input image; the request has none")
        }
        let schema = inputSchema(for: model)
        let expected = ReplicateInput(request: r, schema: schema, image: nil).input
        let dataURL = r.inputImage.flatMap { image -> String? in
            guard let bytes = image.bytes, bytes.count <= Self.dataURLLimit else { return nil }
            return "data:\(image.mime);base64,\(image.dataBase64)"
        }
        if let found = try findPrediction(r, model: model, expected: expected, dataURL: dataURL) { return found }
        // A create the crashed host had sent may still be in flight at Replicate: look once more.
        if settleMilliseconds > 0 { usleep(useconds_t(settleMilliseconds) * 1000) }
        if let found = try findPrediction(r, model: model, expected: expected, dataURL: dataURL) { return found }
        host.log(.info, "job \(r.jobID): Replicate has no prediction of it in the last \(reconcileWindowSeconds) s; it can be submitted")
        return nil
    }

    func findPrediction(_ r: GenerationRequest, model: ReplicateModelID, expected: [String: JSONValue],
                        dataURL: String?) throws(ProviderError) -> PollResult? {
        let now = host.nowMilliseconds()
        let since = Date(timeIntervalSince1970: Double(now) / 1000 - Double(reconcileWindowSeconds))
        var next: String? = "/predictions?created_after=" + Self.iso8601(since)
        var matches: [JSONValue] = []
        var unreadable = 0
        var pages = 0
        while let page = next {
            pages += 1
            guard pages <= Self.maxReconcilePages else {
                throw ProviderError(.unsupported, "Replicate: more than \(Self.maxReconcilePages * 100) predictions in the last "
                                    + "\(reconcileWindowSeconds) s; job \(r.jobID)'s cannot be ruled out (lower reconcile_window_s)")
            }
            let purpose = "list recent predictions"
            let response = try client.send("GET", page, intent: .read, purpose: purpose)
            guard (200...299).contains(response.status) else { throw refusal(response, intent: .read, purpose: purpose) }
            let value = try client.json(response, intent: .read, purpose: purpose)
            for p in value["results"]?.array ?? [] where p["model"]?.string == model.slug {
                if let version = model.version, p["version"]?.string != version { continue }
                guard let input = p["input"]?.object, !(p["data_removed"]?.bool ?? false) else {
                    unreadable += 1
                    continue
                }
                if try isThisJobs(input, expected: expected, dataURL: dataURL, jobID: r.jobID) { matches.append(p) }
            }
            next = value["next"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        }
        if matches.count > 1 {
            throw ProviderError(.unsupported, "Replicate: \(matches.count) recent predictions have job \(r.jobID)'s exact input "
                                + "(\(matches.compactMap { $0["id"]?.string }.joined(separator: ", "))); which one is this job's cannot be told")
        }
        guard let p = matches.first else {
            if unreadable > 0 {
                throw ProviderError(.unsupported, "Replicate: \(unreadable) recent prediction(s) of \(model.slug) have no readable "
                                    + "input (deleted); job \(r.jobID)'s cannot be ruled out")
            }
            return nil
        }
        let prediction = try ReplicatePrediction(p)
        let ref = ReplicateJobRef(id: prediction.id,
                                  getURL: prediction.getURL ?? client.url("/predictions/\(prediction.id)"),
                                  cancelURL: prediction.cancelURL ?? client.url("/predictions/\(prediction.id)/cancel"),
                                  deadlineMs: r.deadlineMs)
        host.log(.info, "job \(r.jobID): found Replicate prediction \(prediction.id) (\(prediction.status)) from the interrupted submit")
        return prediction.pollResult(ref: ref, filesReady: false, now: host.nowMilliseconds(), pollInterval: pollInterval)
    }

    /// Every field the plugin sets is equal; the image field, when present, is this job's.
    func isThisJobs(_ input: [String: JSONValue], expected: [String: JSONValue], dataURL: String?,
                 jobID: String) throws(ProviderError) -> Bool {
        for (key, value) in expected where input[key] != value { return false }
        guard let field = ["image", "input_image", "init_image"].first(where: { input[$0] != nil }),
              expected[field] == nil, let image = input[field]?.string else { return true }
        if image.hasPrefix("data:") { return image == dataURL }
        // An uploaded file: its metadata names the job that uploaded it.
        guard client.isOwnHost(image) else { return false }
        let response = try client.send("GET", image, intent: .read, purpose: "read the metadata of an uploaded input file")
        guard (200...299).contains(response.status) else { return false }
        return response.json?["metadata"]?["imagegen_job"]?.string == jobID
    }

    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
