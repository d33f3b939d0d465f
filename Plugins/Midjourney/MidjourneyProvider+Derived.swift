import PluginKit

/// `vary` and `upscale` as Midjourney's own follow-up actions (midjourney-proxy
/// `POST /mj/submit/change`, action `VARIATION` or `UPSCALE`, index 1–4). Midjourney acts on
/// a task it rendered, never on uploaded bytes, so only an image this plugin made can be
/// varied or upscaled: the host passes the parent job's reference and output index
/// (`input_image.source`). Output index i of a task with four singles is quadrant i+1; a task
/// that gave only the grid is acted on at quadrant 1 (logged). `UPSCALE` returns the chosen
/// quadrant as one image at Midjourney's own resolution; it takes no scale factor.
extension MidjourneyProvider {
    func derive(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        guard let source = request.inputImage?.source, let parentRef = source["ref"], let index = source["index"]?.int else {
            throw ProviderError(.unsupported, "Midjourney can only \(request.kind.rawValue) an image it made itself (through this "
                                + "plugin): it acts on its own tasks, not on uploaded images; use another model for this image")
        }
        let parent = try MidjourneyJobRef(parentRef, expecting: dialect.name)
        let quadrant: Int
        if !parent.gridOnly {
            quadrant = min(max(index + 1, 1), 4)
        } else {
            quadrant = 1
            host.log(.info, "job \(request.jobID): task \(parent.id) gave only its grid; acting on its first image")
        }
        if request.kind == .upscale, let scale = request.scale {
            host.log(.info, "job \(request.jobID): Midjourney's upscale takes no factor (asked: \(scale)); the result has Midjourney's own size")
        }
        let action = request.kind == .vary ? "VARIATION" : "UPSCALE"
        let task = try dialect.change(parent.id, action: action, index: quadrant, jobID: request.jobID)
        host.log(.info, "job \(request.jobID): \(dialect.name) \(action.lowercased()) \(quadrant) of task \(parent.id) is task \(task.id)")
        let ref = MidjourneyJobRef(dialect: dialect.name, id: task.id, deadlineMs: request.deadlineMs,
                                   wanted: request.kind == .vary ? max(1, min(request.numOutputs, 4)) : 1)
        return result(task, ref: ref)
    }
}
