import Foundation
import PluginKit

/// How one BFL endpoint takes its input: FLUX.2 and FLUX1.1 [pro] take pixel sizes, Kontext
/// and FLUX1.1 [pro] Ultra an aspect ratio; FLUX.2 accepts `safety_tolerance` 0…5, the FLUX.1
/// endpoints 0…6 (BFL's API reference).
struct BFLModel {
    enum Size { case pixels(multiple: Int, min: Int, max: Int), aspectRatio }

    var id: String
    var size: Size
    var maxTolerance: Int
    /// FLUX.2 [flex] also takes `steps` and `guidance`.
    var tunable: Bool
    /// FLUX.1 Kontext edits an image: `input_image` (base64), the prompt saying what to change.
    var edits: Bool { id.hasPrefix("flux-kontext-") }

    init(_ id: String) {
        self.id = id
        switch id {
        case let m where m.hasPrefix("flux-2-"):
            size = .pixels(multiple: 16, min: 64, max: 2048)
            maxTolerance = 5
            tunable = m == "flux-2-flex"
        case "flux-pro-1.1":
            size = .pixels(multiple: 32, min: 256, max: 1440)
            maxTolerance = 6
            tunable = false
        default: // flux-kontext-pro, flux-kontext-max, flux-pro-1.1-ultra
            size = .aspectRatio
            maxTolerance = 6
            tunable = false
        }
    }

    /// The JSON body for a text-to-image request, or a Kontext edit of `r.inputImage`.
    func body(_ r: GenerationRequest, safetyTolerance: Int, outputFormat: String) -> [String: JSONValue] {
        var o: [String: JSONValue] = [
            "prompt": .string(r.prompt), "safety_tolerance": .number(Double(min(safetyTolerance, maxTolerance))),
            "output_format": .string(outputFormat),
        ]
        switch size {
        case .pixels(let multiple, let lo, let hi):
            o["width"] = .number(Double(Self.snap(r.width, multiple: multiple, min: lo, max: hi)))
            o["height"] = .number(Double(Self.snap(r.height, multiple: multiple, min: lo, max: hi)))
        case .aspectRatio:
            o["aspect_ratio"] = .string(Self.ratio(width: r.width, height: r.height))
        }
        if let seed = r.seed { o["seed"] = .number(Double(seed)) }
        // The input's own shape is the aspect ratio sent (width/height of a vary are the input's).
        if r.kind == .vary, edits, let image = r.inputImage { o["input_image"] = .string(image.dataBase64) }
        if tunable {
            if let s = r.steps { o["steps"] = .number(Double(min(max(s, 1), 50))) }
            if let g = r.guidanceScale { o["guidance"] = .number(min(max(g, 1.5), 10)) }
        }
        for (k, v) in r.options where !["safety_tolerance", "webhook_url", "webhook_secret"].contains(k) { o[k] = v }
        return o
    }

    static func snap(_ v: Int, multiple: Int, min lo: Int, max hi: Int) -> Int {
        let rounded = Int((Double(v) / Double(multiple)).rounded()) * multiple
        return Swift.min(Swift.max(rounded, lo), hi)
    }

    /// "W:H" in lowest terms, kept within the documented 21:9 … 9:21.
    static func ratio(width: Int, height: Int) -> String {
        let r = Double(width) / Double(height)
        if r > 21.0 / 9 { return "21:9" }
        if r < 9.0 / 21 { return "9:21" }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let g = gcd(width, height)
        return "\(width / g):\(height / g)"
    }
}
