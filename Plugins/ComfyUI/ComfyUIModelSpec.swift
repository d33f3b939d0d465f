import Foundation
import PluginKit

/// What a ComfyUI "provider model" names: a workflow file, optionally with the checkpoint and
/// LoRA to patch in — `txt2img`, `txt2img?checkpoint=juggernaut.safetensors`,
/// `portrait?checkpoint=sdxl.safetensors&lora=silk.safetensors&lora_strength=0.7`.
///
/// ComfyUI has no model catalogue of its own: a "model" is a graph plus the files it loads.
/// Putting both in the provider model lets the config add models (extra candidates) without
/// new plugin code, and keeps `describe` free of side effects.
struct ComfyUIModelSpec: Sendable, Equatable {
    var workflow: String
    var checkpoint: String?
    var lora: String?
    var loraStrength: Double?
    /// `upscale?upscale_model=4x-UltraSharp.pth`: the upscale model of an upscale workflow.
    var upscaleModel: String?

    init(parsing text: String) throws(ProviderError) {
        let parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        workflow = String(parts[0])
        guard !workflow.isEmpty, workflow.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
              !workflow.hasPrefix(".") else {
            throw ProviderError(.invalidRequest, "ComfyUI: the model \"\(text)\" does not name a workflow (letters, digits, - _ . only)")
        }
        guard parts.count == 2 else { return }
        for pair in parts[1].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            let key = String(kv[0])
            let value = kv.count == 2 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            switch key {
            case "checkpoint": checkpoint = value
            case "lora": lora = value
            case "upscale_model": upscaleModel = value
            case "lora_strength":
                guard let v = Double(value) else {
                    throw ProviderError(.invalidRequest, "ComfyUI: lora_strength in the model \"\(text)\" is not a number")
                }
                loraStrength = v
            default:
                throw ProviderError(.invalidRequest, "ComfyUI: unknown setting \"\(key)\" in the model \"\(text)\" "
                                    + "(known: checkpoint, lora, lora_strength, upscale_model)")
            }
        }
    }
}
