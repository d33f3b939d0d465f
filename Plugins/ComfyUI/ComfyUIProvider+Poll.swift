import Foundation
import PluginKit

extension ComfyUIProvider {
    public func poll(_ refValue: JSONValue) throws(ProviderError) -> PollResult {
        var ref = try ComfyUIJobRef(refValue)
        if let outputs = ref.outputs {
            // Already finished and recorded: nothing to ask (ComfyUI's history may be gone by now).
            return succeeded(ref, outputs: outputs)
        }
        guard let status = try server.lookup(ref.promptID) else {
            // Not queued, not running, not in history: ComfyUI restarted (history lives in memory)
            // or someone cleared its queue. The job is lost — never done.
            guard ref.resubmits < maxResubmits else {
                return PollResult(state: .failed, ref: ref.json, error: ProviderError(.notFound,
                    "ComfyUI lost prompt \(ref.promptID) \(ref.resubmits + 1) time(s) (restarted, or its queue was cleared); "
                    + "it was queued again \(ref.resubmits) time(s), the limit (providers.comfyui.max_resubmits)"))
            }
            ref.resubmits += 1
            host.log(.warning, "ComfyUI has no trace of prompt \(ref.promptID) (restarted with an empty queue?): the job is lost, "
                     + "queuing it again under the same id (\(ref.resubmits)/\(maxResubmits))")
            // Safe: the server has no job under this id, and only this job's poll sends it.
            _ = try server.queue(ref.workflow, promptID: ref.promptID)
            return PollResult(state: .queued, ref: ref.json, progress: 0, nextPollMilliseconds: pollInterval)
        }
        return result(status, ref: ref)
    }

    /// A poll result for what the server reported.
    func result(_ status: ComfyUIJobStatus, ref initial: ComfyUIJobRef) -> PollResult {
        var ref = initial
        switch status.status {
        case .pending:
            return PollResult(state: .queued, ref: ref.json, progress: 0, nextPollMilliseconds: pollInterval)
        case .inProgress:
            return PollResult(state: .running, ref: ref.json, nextPollMilliseconds: pollInterval)
        case .cancelled:
            return PollResult(state: .cancelled, ref: ref.json, providerTimeSeconds: status.gpuSeconds,
                              error: ProviderError(.cancelled, "ComfyUI interrupted prompt \(ref.promptID)"))
        case .failed:
            return PollResult(state: .failed, ref: ref.json, costUSD: cost(status.gpuSeconds), providerTimeSeconds: status.gpuSeconds,
                              error: ProviderError(.provider, status.errorDescription))
        case .completed:
            let images = status.resultImages(nodes: ref.outputNodes)
            guard !images.isEmpty else {
                return PollResult(state: .failed, ref: ref.json, costUSD: cost(status.gpuSeconds), providerTimeSeconds: status.gpuSeconds,
                                  error: ProviderError(.provider, "ComfyUI finished prompt \(ref.promptID) without saving an image; "
                                                       + "the workflow needs a SaveImage node (titled imagegen.output)"))
            }
            ref.outputs = images
            ref.gpuSeconds = status.gpuSeconds
            return succeeded(ref, outputs: images)
        }
    }

    func succeeded(_ ref: ComfyUIJobRef, outputs: [ComfyUIJobStatus.Image]) -> PollResult {
        PollResult(state: .succeeded, ref: ref.json, progress: 1,
                   outputs: outputs.indices.map { PollResult.Output(index: $0, mime: Self.mime(outputs[$0].filename)) },
                   costUSD: cost(ref.gpuSeconds), providerTimeSeconds: ref.gpuSeconds,
                   seed: ref.workflow.values.compactMap { node -> UInt32? in
                       guard node["_meta"]?["title"]?.string?.lowercased() == ComfyUIWorkflow.Placeholder.sampler.rawValue else { return nil }
                       return (node["inputs"]?["seed"] ?? node["inputs"]?["noise_seed"])?.number.flatMap { UInt32(exactly: $0) }
                   }.first)
    }

    /// GPU time at the configured rate; 0 when no rate is set (the GPU is the studio's own).
    func cost(_ gpuSeconds: Double?) -> Double? {
        if usdPerGPUSecond == 0 { return 0 }
        return gpuSeconds.map { $0 * usdPerGPUSecond }
    }

    static func mime(_ filename: String) -> String {
        switch (filename as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        case "gif": return "image/gif"
        default: return "image/png"
        }
    }

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        let ref = try ComfyUIJobRef(refValue)
        guard let outputs = ref.outputs else {
            throw ProviderError(.invalidRequest, "ComfyUI: prompt \(ref.promptID) has not finished; there is nothing to fetch yet")
        }
        guard outputs.indices.contains(index) else {
            throw ProviderError(.invalidRequest, "ComfyUI: prompt \(ref.promptID) has \(outputs.count) output(s), not \(index + 1)")
        }
        let bytes = try server.view(outputs[index])
        _ = try EncodedImage.validated(bytes, what: "output \(index) (\(outputs[index].filename)) of prompt \(ref.promptID)")
        return bytes
    }

    public func cancel(_ refValue: JSONValue) throws(ProviderError) {
        let ref = try ComfyUIJobRef(refValue)
        guard ref.outputs == nil else { return } // finished: nothing to stop
        try server.cancel(ref.promptID)
    }
}
