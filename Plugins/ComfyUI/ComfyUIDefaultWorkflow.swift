/// The workflow that ships with the plugin: a plain text-to-image graph (checkpoint → CLIP text
/// encodes → KSampler → VAE decode → SaveImage) in ComfyUI's API format, with every node the
/// host patches carrying its `imagegen.*` title. The same text is in
/// `docs/examples/comfyui/txt2img.json` (a test keeps the two equal) as the model for your own.
///
/// It is built in so that a fresh install works without a workflows folder; a `txt2img.json`
/// in `workflows_dir` replaces it.
enum ComfyUIDefaultWorkflow {
    static let name = "txt2img"
    static let text = """
    {
      "3": {
        "class_type": "KSampler",
        "_meta": {"title": "imagegen.sampler"},
        "inputs": {
          "seed": 0, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
          "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]
        }
      },
      "4": {
        "class_type": "CheckpointLoaderSimple",
        "_meta": {"title": "imagegen.checkpoint"},
        "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}
      },
      "5": {
        "class_type": "EmptyLatentImage",
        "_meta": {"title": "imagegen.latent"},
        "inputs": {"width": 512, "height": 512, "batch_size": 1}
      },
      "6": {
        "class_type": "CLIPTextEncode",
        "_meta": {"title": "imagegen.prompt"},
        "inputs": {"text": "", "clip": ["4", 1]}
      },
      "7": {
        "class_type": "CLIPTextEncode",
        "_meta": {"title": "imagegen.negative"},
        "inputs": {"text": "", "clip": ["4", 1]}
      },
      "8": {
        "class_type": "VAEDecode",
        "_meta": {"title": "VAE Decode"},
        "inputs": {"samples": ["3", 0], "vae": ["4", 2]}
      },
      "9": {
        "class_type": "SaveImage",
        "_meta": {"title": "imagegen.output"},
        "inputs": {"filename_prefix": "imagegen", "images": ["8", 0]}
      }
    }

    """
}
