import CVips
import Foundation
import ImagegenCore

/// The one place in the host that works on image pixels. Everything goes through libvips,
/// started once per process with the configured threads and cache.
///
/// The job pipeline uses it in three steps:
/// ```swift
/// let workshop = try ImageWorkshop(configuration: config)
/// let image = try workshop.verify(bytes, declaredMIMEType: "image/png")  // refuse bad input first
/// let result = try workshop.process(image, category: "product")           // derivatives in memory
/// let quality = try workshop.score(image)                                 // 0–100 + components
/// ```
/// `verify` throws `ImageInputError` (the provider's fault: fail the job with its message);
/// `process` and `score` throw `ImageProcessingError` (the host's setup). The provider's
/// bytes are never modified; store them as the original and the derivatives as its versions.
///
/// Sendable and stateless apart from its configuration: call it from any number of tasks.
/// Each call blocks its thread while libvips works (tens of milliseconds per image), so
/// call it off cooperative-pool threads when many images are processed at once.
public struct ImageWorkshop: Sendable {
    public let configuration: ImagingConfiguration

    /// Checks the configuration. libvips is loaded and started (once per process) by the first
    /// image call, not here: a host that has not touched an image yet does not map libvips and
    /// its dependency tree (about 20 MB resident; see CVips).
    public init(configuration: ImagingConfiguration = ImagingConfiguration()) throws(ImageProcessingError) {
        let problems = configuration.problems()
        guard problems.isEmpty else { throw .invalidConfiguration(problems: problems) }
        self.configuration = configuration
    }

    /// Loads and starts libvips now if no image call did yet (the first call does it anyway).
    public func start() throws(ImageProcessingError) {
        try VipsRuntime.ensureStarted(configuration.runtime)
    }

    /// Checks a provider's bytes before anything else and decodes them once: accepted format,
    /// the declared type (when given) matching the bytes, size and dimensions within
    /// `configuration.limits` (read from the header, before decoding), and a complete decode.
    public func verify(_ bytes: Data, declaredMIMEType: String? = nil) throws(ImageInputError) -> VerifiedImage {
        do { try start() } catch { throw .imagingUnavailable(reason: error.description) }
        return try ImageInputVerifier(limits: configuration.limits).verify(bytes, declaredMIMEType: declaredMIMEType)
    }

    /// Renders the derivatives of `image` with the profile of `category`.
    public func process(_ image: VerifiedImage, category: String) throws(ImageProcessingError) -> PostProcessingResult {
        try process(image, profile: configuration.profile(forCategory: category))
    }

    /// Renders the derivatives of `image` with the profile called `profileName`.
    public func process(_ image: VerifiedImage, profileNamed profileName: String) throws(ImageProcessingError) -> PostProcessingResult {
        try process(image, profile: configuration.profile(named: profileName))
    }

    /// Renders the derivatives of `image` with `profile`; with `label`, each carries it as XMP
    /// (the AI marking of published images) and no other metadata.
    public func process(_ image: VerifiedImage, profile: ImagingProfile,
                        label: ProvenanceLabel? = nil) throws(ImageProcessingError) -> PostProcessingResult {
        let problems = profile.problems(named: "(given)")
        guard problems.isEmpty else { throw .invalidConfiguration(problems: problems) }
        try start()
        return try DerivativeRenderer(profile: profile, parallelEncoding: configuration.parallelEncoding, label: label).render(image)
    }

    /// The no-reference quality score of `image` (as the provider delivered it, before any
    /// enhancement), with the configured weights.
    /// The vocabulary colour names covering most of the image (see `DominantColours`).
    public func dominantColours(_ image: VerifiedImage) throws(ImageProcessingError) -> [String] {
        try start()
        return try DominantColours().names(of: image.analysisPixels())
    }

    public func score(_ image: VerifiedImage) throws(ImageProcessingError) -> QualityReport {
        try start()
        return QualityReport(measurements: try QualityMeasurer().measure(image.pixels, analysis: image.analysisPixels()),
                             weights: configuration.qualityWeights)
    }

    /// Memory libvips has allocated for pixels right now and at most so far in this process,
    /// in bytes (libvips' own tracking; for metrics and benchmarks).
    /// Zero before the first image call (libvips is not loaded yet).
    public static func libvipsMemory() -> (current: Int, highWater: Int) {
        guard cvips_is_loaded() != 0 else { return (0, 0) }
        return (Int(cvips_tracked_get_mem()), Int(cvips_tracked_get_mem_highwater()))
    }
}
