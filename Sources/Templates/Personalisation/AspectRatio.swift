import Foundation

/// A width:height ratio such as `4:5`, written that way in config.
public struct AspectRatio: Codable, Sendable, Hashable, CustomStringConvertible {
    public let width: Int
    public let height: Int

    /// Ratios steeper than this are refused: providers do not produce them well.
    public static let maximumElongation = 4.0

    public init?(width: Int, height: Int) {
        guard width > 0, height > 0 else { return nil }
        let ratio = Double(width) / Double(height)
        guard ratio <= Self.maximumElongation, ratio >= 1 / Self.maximumElongation else { return nil }
        self.width = width
        self.height = height
    }

    /// Parses `"W:H"`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { return nil }
        self.init(width: width, height: height)
    }

    public var value: Double { Double(width) / Double(height) }

    public var description: String { "\(width):\(height)" }

    /// Width and height with this ratio and about the same pixel count as `parameters`, in multiples of 64
    /// (what SDXL-class models are trained on), within the allowed sizes.
    public func size(keepingAreaOf parameters: TemplateParameters) -> (width: Int, height: Int) {
        let area = Double(parameters.width * parameters.height)
        let step = 64.0
        let range = TemplateParameters.sizeRange
        func rounded(_ value: Double) -> Int {
            let snapped = Int((value / step).rounded()) * Int(step)
            return min(max(snapped, Int(step)), range.upperBound)
        }
        return (rounded((area * value).squareRoot()), rounded((area / value).squareRoot()))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let ratio = AspectRatio(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "'\(text)' is not an aspect ratio: write it as W:H, e.g. \"4:5\", no steeper than 4:1"))
        }
        self = ratio
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
