/// The upscale workflow that ships with the plugin (`images upscale` with the model
/// `comfyui-upscale`): LoadImage (the uploaded input) → UpscaleModelLoader (an ESRGAN-type
/// model, `providers.comfyui.upscale_model`) → ImageUpscaleWithModel (the model's own factor)
/// → ImageScaleBy (from the model's factor to the requested one) → SaveImage. No diffusion, no
/// prompt. The same text is in `docs/examples/comfyui/upscale.json` (a test keeps the two
/// equal); an `upscale.json` in `workflows_dir` replaces it.
enum ComfyUIUpscaleWorkflow {
    static let name = "upscale"
    static let text = """
    {
      "1": {
        "class_type": "LoadImage",
        "_meta": {"title": "imagegen.input_image"},
        "inputs": {"image": "example.png"}
      },
      "2": {
        "class_type": "UpscaleModelLoader",
        "_meta": {"title": "imagegen.upscale_model"},
        "inputs": {"model_name": "RealESRGAN_x4plus.pth"}
      },
      "3": {
        "class_type": "ImageUpscaleWithModel",
        "_meta": {"title": "Upscale Image (using Model)"},
        "inputs": {"upscale_model": ["2", 0], "image": ["1", 0]}
      },
      "4": {
        "class_type": "ImageScaleBy",
        "_meta": {"title": "imagegen.scale"},
        "inputs": {"upscale_method": "lanczos", "scale_by": 0.5, "image": ["3", 0]}
      },
      "5": {
        "class_type": "SaveImage",
        "_meta": {"title": "imagegen.output"},
        "inputs": {"filename_prefix": "imagegen-upscale", "images": ["4", 0]}
      }
    }

    """
}
