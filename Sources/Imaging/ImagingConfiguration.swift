import ImagegenCore
/// Everything the host's image work is configured by: libvips' runtime, input limits, the
/// quality-score weights (one set for all, so scores compare across categories and models),
/// and the post-processing profiles with the category that uses each.
///
/// Decoding tolerates missing keys at every level; an empty JSON object gives the defaults.
public struct ImagingConfiguration: Codable, Sendable, Equatable {
    /// The profile used for a category with no entry in `categoryProfiles`.
    public static let defaultProfileName = "default"

    public var runtime: VipsRuntimeSettings
    public var limits: InputLimits
    public var qualityWeights: QualityWeights
    /// Encode the derivatives of one image on several threads at once. Lowers the latency of
    /// one image; it changes little when several images are processed in parallel anyway.
    public var parallelEncoding: Bool
    /// Named profiles. When "default" is missing, the built-in default profile stands in.
    public var profiles: [String: ImagingProfile]
    /// Category name to profile name.
    public var categoryProfiles: [String: String]
    /// The background queue that renders derivatives.
    public var postProcessing: PostProcessingSettings

    public init(runtime: VipsRuntimeSettings = VipsRuntimeSettings(), limits: InputLimits = InputLimits(),
                qualityWeights: QualityWeights = QualityWeights(), parallelEncoding: Bool = true,
                profiles: [String: ImagingProfile] = [defaultProfileName: ImagingProfile()],
                categoryProfiles: [String: String] = [:], postProcessing: PostProcessingSettings = PostProcessingSettings()) {
        self.runtime = runtime
        self.limits = limits
        self.qualityWeights = qualityWeights
        self.parallelEncoding = parallelEncoding
        self.profiles = profiles
        self.categoryProfiles = categoryProfiles
        self.postProcessing = postProcessing
    }

    /// The profile a category uses: its mapped profile, else "default", else the built-in default.
    public func profile(forCategory category: String) -> ImagingProfile {
        // try?: profile names are checked when the config loads; a category without a profile gets the default one
        (try? profile(named: profileName(forCategory: category))) ?? ImagingProfile()
    }

    /// The name of the profile a category uses (recorded with its derivatives).
    public func profileName(forCategory category: String) -> String {
        if let name = categoryProfiles[category], profiles[name] != nil { return name }
        return Self.defaultProfileName
    }

    /// The profile called `name` (e.g. from `imagegen process --profile NAME`).
    public func profile(named name: String) throws(ImageProcessingError) -> ImagingProfile {
        if let profile = profiles[name] { return profile }
        if name == Self.defaultProfileName { return ImagingProfile() }
        throw .unknownProfile(name: name, known: Array(Set(profiles.keys).union([Self.defaultProfileName])))
    }

    /// Problems that make this configuration unusable, each naming its key; empty when valid.
    public func problems() -> [String] {
        var found = runtime.problems() + limits.problems() + qualityWeights.problems() + postProcessing.problems()
        for name in profiles.keys.sorted() { found += profiles[name]!.problems(named: name) }
        for category in categoryProfiles.keys.sorted() {
            let name = categoryProfiles[category]!
            if profiles[name] == nil && name != Self.defaultProfileName {
                found.append("categoryProfiles.\(category) names profile '\(name)', which is not defined in profiles")
            }
        }
        return found
    }

    private enum CodingKeys: String, CodingKey {
        case runtime, limits, qualityWeights, parallelEncoding, profiles, categoryProfiles, postProcessing
    }

    /// The keys `imaging` accepts, so a misspelt one is refused instead of silently ignored.
    public static let knownKeys = ["runtime", "limits", "qualityWeights", "parallelEncoding", "profiles",
                                   "categoryProfiles", "postProcessing"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ImagingConfiguration()
        runtime = try c.decodeIfPresent(VipsRuntimeSettings.self, forKey: .runtime) ?? d.runtime
        limits = try c.decodeIfPresent(InputLimits.self, forKey: .limits) ?? d.limits
        qualityWeights = try c.decodeIfPresent(QualityWeights.self, forKey: .qualityWeights) ?? d.qualityWeights
        parallelEncoding = try c.decodeIfPresent(Bool.self, forKey: .parallelEncoding) ?? d.parallelEncoding
        profiles = try c.decodeIfPresent([String: ImagingProfile].self, forKey: .profiles) ?? d.profiles
        categoryProfiles = try c.decodeIfPresent([String: String].self, forKey: .categoryProfiles) ?? d.categoryProfiles
        postProcessing = try c.decodeIfPresent(PostProcessingSettings.self, forKey: .postProcessing) ?? d.postProcessing
    }
}
