/// A provider that can tell whether it already has the job for a host job id, because the
/// client chooses the provider's job id (ComfyUI's `prompt_id`). PluginKit exports it as the
/// `imagegen.reconcile/1` extension.
///
/// Why: when the host dies between committing its intent to submit and recording the
/// provider's answer, the outcome is unknown. Without a way to ask, the host must fail the job
/// (sending it again could pay twice). A provider that can answer turns that unknown outcome
/// into a known one: "here is the job" (the host polls it) or "no such job" (the host submits).
public protocol ReconcilingProvider: ImageProvider {
    /// The provider's job for `request.jobID` as a submit result (with `ref`), or nil when the
    /// provider certainly has none and the interrupted attempt cannot create one any more.
    /// Throw when the provider cannot be asked: the outcome then stays unknown. Must not start
    /// any work at the provider.
    func reconcile(_ request: GenerationRequest) throws(ProviderError) -> PollResult?
}
