import Foundation
import PluginKit

extension ComfyUIWorkflow {
    /// An `upscale`: the uploaded input through the upscale model, then ImageScaleBy from the
    /// model's own factor to the requested one (a ×4 model asked for ×2 → `scale_by` 0.5).
    /// Nothing else is patched: there is no prompt, sampler or checkpoint in such a graph.
    mutating func applyUpscale(_ r: GenerationRequest, spec: ComfyUIModelSpec, defaults: ComfyUIDefaults, inputImage: String?,
                               require: (Placeholder, String, Int) throws(ProviderError) -> Void) throws(ProviderError) -> [String] {
        guard let inputImage, let input = r.inputImage else {
            throw ProviderError(.invalidRequest, "ComfyUI: an upscale request needs input_image")
        }
        var notes: [String] = []
        try require(.inputImage, "input image", set(.inputImage, ["image"], .string(inputImage)))
        let model = spec.upscaleModel ?? r.options["upscale_model"]?.string ?? defaults.upscaleModel
        try require(.upscaleModel, "upscale model \(model)", set(.upscaleModel, ["model_name"], .string(model)))
        let requested = r.scale ?? Double(r.width) / Double(max(1, input.width))
        let factor = Double(defaults.upscaleModelScale ?? Self.factor(ofUpscaleModel: model) ?? 4)
        let scaleBy = requested / factor
        if set(.scale, ["scale_by"], .number(scaleBy)) == 0 {
            guard abs(scaleBy - 1) < 1e-9 else {
                throw ProviderError(.invalidRequest, "ComfyUI: the workflow \(spec.workflow) has no node titled \"\(Placeholder.scale.rawValue)\" "
                                    + "(an ImageScaleBy) to turn the upscale model's ×\(Int(factor)) into the ×\(requested == requested.rounded() ? String(Int(requested)) : String(requested)) asked for; "
                                    + "add one, or ask for --scale \(Int(factor))")
            }
            notes.append("no imagegen.scale node: the upscale model's own ×\(Int(factor)) is the result")
        }
        return notes
    }

    /// The factor an upscale model's file name states (`RealESRGAN_x4plus.pth`, `4x-UltraSharp.pth`,
    /// `2x_NMKD.pth`), or nil when it states none.
    static func factor(ofUpscaleModel name: String) -> Int? {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        let chars = Array(base.lowercased())
        for i in chars.indices where chars[i] == "x" {
            let before = i > 0 ? chars[i - 1] : nil
            let after = i + 1 < chars.count ? chars[i + 1] : nil
            let isBoundary: (Character?) -> Bool = { c in c.map { !$0.isLetter && !$0.isNumber } ?? true }
            // "x4" after a separator (or at the start), or "4x" before one.
            if let d = after?.wholeNumberValue, isBoundary(before), i + 2 >= chars.count || !chars[i + 2].isNumber { return d }
            if let d = before?.wholeNumberValue, i < 2 || !chars[i - 2].isNumber && !chars[i - 2].isLetter, isBoundary(after) { return d }
        }
        return nil
    }
}
