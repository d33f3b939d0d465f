import Foundation

/// How one kind of image is post-processed: enhancement, the sizes rendered and the formats
/// written. Categories pick a profile by name (`ImagingConfiguration.categoryProfiles`).
///
/// Missing keys decode to the built-in defaults, so a profile in a config file only needs to
/// say what differs (e.g. just `"sizes"`).
public struct ImagingProfile: Codable, Sendable, Equatable {
    public var enhancement: EnhancementSettings
    /// Sizes rendered, each written in every enabled format. Default: the master at the
    /// generated size, a 1080 px "publish" and a 256 px "thumbnail".
    public var sizes: [DerivativeSize]
    public var formats: OutputFormats

    public init(enhancement: EnhancementSettings = EnhancementSettings(),
                sizes: [DerivativeSize] = [.master, .publish, .thumbnail],
                formats: OutputFormats = OutputFormats()) {
        self.enhancement = enhancement
        self.sizes = sizes
        self.formats = formats
    }

    private enum CodingKeys: String, CodingKey { case enhancement, sizes, formats }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ImagingProfile()
        enhancement = try c.decodeIfPresent(EnhancementSettings.self, forKey: .enhancement) ?? d.enhancement
        sizes = try c.decodeIfPresent([DerivativeSize].self, forKey: .sizes) ?? d.sizes
        formats = try c.decodeIfPresent(OutputFormats.self, forKey: .formats) ?? d.formats
    }

    static func isUsableVariantName(_ name: String) -> Bool {
        name.count <= 32 && name != "original" && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    /// Problems that make this profile unusable, each naming its key; empty when valid.
    func problems(named name: String) -> [String] {
        var found = enhancement.problems(in: name) + formats.problems(in: name)
        if sizes.isEmpty { found.append("profiles.\(name).sizes is empty; list at least one size") }
        var seen: Set<String> = []
        for size in sizes {
            if size.name.trimmingCharacters(in: .whitespaces).isEmpty {
                found.append("profiles.\(name).sizes has a size without a name")
            } else if !Self.isUsableVariantName(size.name) {
                // The name becomes part of the derivative's id and file name.
                found.append("profiles.\(name).sizes name '\(size.name)' may only use letters, digits and _ (at most 32) and must not be 'original'")
            } else if !seen.insert(size.name).inserted {
                found.append("profiles.\(name).sizes names '\(size.name)' twice")
            }
            if let edge = size.longEdge, edge <= 0 {
                found.append("profiles.\(name).sizes '\(size.name)' longEdge must be positive, got \(edge)")
            }
        }
        return found
    }
}
