/// The image-to-image workflow that ships with the plugin (`images vary` with the model
/// `comfyui-img2img`): LoadImage (the uploaded input) → VAE encode → KSampler with
/// `denoise` = the request's strength → VAE decode → SaveImage. The input decides the size.
/// The same text is in `docs/examples/comfyui/img2img.json` (a test keeps the two equal); an
/// `img2img.json` in `workflows_dir` replaces it.
enum ComfyUIImg2ImgWorkflow {
    static let name = "img2img"
    static let text = """
    {
      "3": {
        "class_type": "KSampler",
        "_meta": {"title": "imagegen.sampler"},
        "inputs": {
          "seed": 0, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 0.6,
          "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["11", 0]
        }
      },
      "4": {
        "class_type": "CheckpointLoaderSimple",
        "_meta": {"title": "imagegen.checkpoint"},
        "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}
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
      },
      "10": {
        "class_type": "LoadImage",
        "_meta": {"title": "imagegen.input_image"},
        "inputs": {"image": "example.png"}
      },
      "11": {
        "class_type": "VAEEncode",
        "_meta": {"title": "VAE Encode"},
        "inputs": {"pixels": ["10", 0], "vae": ["4", 2]}
      }
    }

    """
}
