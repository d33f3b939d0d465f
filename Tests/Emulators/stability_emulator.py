#!/usr/bin/env python3
"""Emulator of Stability AI's image API (https://api.stability.ai), for the plugin tests.

Serves what Stability's v1 OpenAPI spec and the v2beta Stable Image docs describe (see
shared/reference/providers/stability.md):

- POST /v1/generation/{engine_id}/text-to-image: JSON body (text_prompts with weights,
  width/height in SDXL's allowed sizes, cfg_scale, steps, samples, seed, sampler,
  style_preset); Accept application/json -> {"artifacts": [{base64, seed, finishReason}]},
  Accept image/png -> bytes with Finish-Reason and Seed headers (samples must then be 1);
  errors as {"id", "name", "message"}.
- POST /v2beta/stable-image/generate/{core,ultra,sd3}: multipart/form-data only (prompt,
  negative_prompt, aspect_ratio, seed, output_format, style_preset; sd3 adds model, mode,
  cfg_scale); Accept image/* -> bytes with finish-reason, seed, x-request-id headers,
  application/json -> {"image", "finish_reason", "seed"}; errors as {"id", "name", "errors"}.
  Image-to-image (sd3 with mode=image-to-image, ultra with an image): a PNG file part
  `image` and `strength` (0..1) are required, aspect_ratio is refused; the output has the
  input's size. Logs "image-to-image" with the source's size and the strength.
- POST /v2beta/stable-image/upscale/fast: multipart `image` (PNG, 32..1536 px a side, at
  most 1048576 pixels) and output_format; the output is the input at 4x. Logs "upscaled".
- GET /v1/user/balance -> {"credits": ...}.

The emulator renders PNG only: whatever output_format asks for, the bytes (and content-type)
are PNG. Unknown fields are refused (400), which the real API may tolerate; the plugin
should not send fields an endpoint does not document.

Fault modes (POST /__emulator/scenario {"mode": ..., "on": "create"|"balance", "times": n}):
  unauthorized, insufficient_balance (402), invalid (400), rate_limited (429; no Retry-After
  unless "header": true, as documented), server_error (500), content_moderation (403),
  invalid_prompts (v1 400), public_figure (422), truncated_image, drop, malformed, hang;
  standing modes: content_filtered (every image blurred; "partial": true for the first only).
"""

import base64
import email.parser
import email.policy
import json
import uuid

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

SDXL = "stable-diffusion-xl-1024-v1-0"
ENGINES = {SDXL, "stable-diffusion-v1-6"}
SDXL_SIZES = {(1024, 1024), (1152, 896), (896, 1152), (1216, 832), (832, 1216), (1344, 768), (768, 1344),
              (1536, 640), (640, 1536)}
STYLES = ["enhance", "anime", "photographic", "digital-art", "comic-book", "fantasy-art", "line-art", "analog-film",
          "neon-punk", "isometric", "low-poly", "origami", "modeling-compound", "cinematic", "3d-model", "pixel-art",
          "tile-texture"]
SAMPLERS = ["DDIM", "DDPM", "K_DPMPP_2M", "K_DPMPP_2S_ANCESTRAL", "K_DPM_2", "K_DPM_2_ANCESTRAL", "K_EULER",
            "K_EULER_ANCESTRAL", "K_HEUN", "K_LMS"]
CLIP = ["FAST_BLUE", "FAST_GREEN", "NONE", "SIMPLE", "SLOW", "SLOWER", "SLOWEST"]
RATIOS = {"16:9": (1344, 768), "1:1": (1024, 1024), "21:9": (1536, 640), "2:3": (832, 1216), "3:2": (1216, 832),
          "4:5": (896, 1088), "5:4": (1088, 896), "9:16": (768, 1344), "9:21": (640, 1536)}
SD3_MODELS = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash", "sd3-large", "sd3-large-turbo", "sd3-medium"]


def v1_error(status, name, message):
    return Reply.json(status, {"id": str(uuid.uuid4()), "name": name, "message": message})


def v2_error(status, name, *errors):
    return Reply.json(status, {"id": uuid.uuid4().hex, "name": name, "errors": list(errors)})


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class StabilityHandler(EmulatorHandler):
    standing_modes = ("content_filtered",)
    credits = 42.5

    def classify(self, req):
        if req.method == "POST" and ("/generation/" in req.path or "/stable-image/generate/" in req.path
                                        or "/stable-image/upscale/" in req.path):
            return "create"
        if req.path == "/v1/user/balance":
            return "balance"
        return "other"

    def auth_ok(self, req):
        return (req.headers.get("Authorization") or "") == "Bearer " + self.token

    def describe_body(self, req):
        if req.path.startswith("/v2beta/") and req.body:
            fields, _ = self.parse_form(req)
            if fields is None:
                return {"body_bytes": len(req.body)}
            return {"form": {k: v if isinstance(v, str) else {"file_bytes": len(v)} for k, v in fields.items()}}
        return EmulatorHandler.describe_body(self, req)

    def err(self, req, status, name, message):
        return v2_error(status, name, message) if req.path.startswith("/v2beta/") else v1_error(status, name, message)

    def answer(self, req):
        mode = (req.fault or {}).get("mode")
        faults = {
            "unauthorized": (401, "unauthorized", "authorization: invalid or missing header value"),
            "insufficient_balance": (402, "payment_required", "You lack sufficient credits to make this request. Please purchase more credits and try again."),
            "invalid": (400, "bad_request", "prompt: cannot be empty"),
            "server_error": (500, "internal_error", "An unexpected server error has occurred, please try again later."),
            "content_moderation": (403, "content_moderation", "Your request was flagged by our content moderation system, as a result your request was denied and you were not charged."),
            "invalid_prompts": (400, "invalid_prompts", "One or more prompts contains filtered words."),
            "public_figure": (422, "public_figure", "Our system detected the likeness of a public figure in your image."),
        }
        if mode in faults:
            return self.err(req, *faults[mode])
        if mode == "rate_limited":
            headers = {"Retry-After": str(req.fault.get("retry_after", 60))} if req.fault.get("header") else {}
            reply = self.err(req, 429, "rate_limit_exceeded",
                             "You have exceeded the rate limit of 150 requests within a 10 second period, and have been timed out for 60 seconds.")
            reply.headers.update(headers)
            return reply

        if not req.headers.get("Authorization") or not self.auth_ok(req):
            return self.err(req, 401, "unauthorized", "Missing or invalid API key" if req.path.startswith("/v1/")
                            else "authorization: invalid or missing header value")
        if req.kind == "balance":
            return Reply.json(200, {"credits": self.credits})
        if req.kind != "create":
            return self.err(req, 404, "not_found", "The requested resource was not found.")
        truncate = mode == "truncated_image"
        if req.path.startswith("/v1/generation/"):
            return self.v1(req, truncate)
        return self.v2(req, truncate)

    # -- v1 -------------------------------------------------------------------------------------

    def v1(self, req, truncate):
        parts = req.path.strip("/").split("/")
        if len(parts) != 4 or parts[3] != "text-to-image":
            return v1_error(404, "not_found", "The requested resource was not found.")
        engine = parts[2]
        if engine not in ENGINES:
            return v1_error(404, "not_found", "The specified engine (ID %s) was not found." % engine)
        body = req.json()
        if not isinstance(body, dict):
            return v1_error(400, "bad_request", "The request body is not valid JSON")
        problem = self.v1_problem(engine, body, req.headers.get("Accept") or "application/json")
        if problem:
            return v1_error(400, *problem)
        samples = body.get("samples", 1)
        seed = body.get("seed", 0) or 1234567
        w, h = body.get("width", 512), body.get("height", 512)
        standing = self.state.active_mode("content_filtered")
        reasons = []
        for i in range(samples):
            filtered = standing is not None and (not standing.get("partial") or i == 0)
            reasons.append("CONTENT_FILTERED" if filtered else "SUCCESS")
        images = [png_bytes(w, h, colour_for(seed + i)) for i in range(samples)]
        if truncate:
            images = [img[: len(img) // 2] for img in images]
        if (req.headers.get("Accept") or "application/json") == "image/png":
            return Reply(200, images[0], "image/png", {"Finish-Reason": reasons[0], "Seed": str(seed)})
        return Reply.json(200, {"artifacts": [{"base64": base64.b64encode(img).decode(), "seed": seed + i,
                                               "finishReason": reasons[i]} for i, img in enumerate(images)]})

    @staticmethod
    def v1_problem(engine, body, accept):
        known = {"text_prompts", "width", "height", "cfg_scale", "clip_guidance_preset", "sampler", "samples", "seed",
                 "steps", "style_preset", "extras"}
        for key in body:
            if key not in known:
                return ("bad_request", "body: unknown field %s" % key)
        prompts = body.get("text_prompts")
        if not isinstance(prompts, list) or not prompts:
            return ("bad_request", "text_prompts: must contain at least one prompt")
        for p in prompts:
            if not isinstance(p, dict) or not isinstance(p.get("text"), str) or not p["text"]:
                return ("bad_request", "text_prompts: each prompt needs a non-empty text")
            if len(p["text"]) > 2000:
                return ("bad_request", "text_prompts: text is longer than 2000 characters")
            if "weight" in p and not is_number(p["weight"]):
                return ("bad_request", "text_prompts: weight must be a number")
        w, h = body.get("width", 512), body.get("height", 512)
        if not is_int(w) or not is_int(h) or w % 64 or h % 64 or w < 128 or h < 128:
            return ("invalid_height_or_width", "height and width must be integers in increments of 64, at least 128")
        if engine == SDXL and (w, h) not in SDXL_SIZES:
            return ("invalid_height_or_width", "for stable-diffusion-xl-1024-v1-0 the allowed dimensions are "
                    "1024x1024, 1152x896, 1216x832, 1344x768, 1536x640, 640x1536, 768x1344, 832x1216, 896x1152, got %dx%d" % (w, h))
        if engine != SDXL and not 262144 <= w * h <= 1048576:
            return ("invalid_pixel_count", "width * height must be between 262144 and 1048576")
        checks = [("cfg_scale", is_number, 0, 35), ("steps", is_int, 10, 50), ("samples", is_int, 1, 10),
                  ("seed", is_int, 0, 4294967295)]
        for name, kind, lo, hi in checks:
            if name in body and (not kind(body[name]) or not lo <= body[name] <= hi):
                return ("bad_request", "%s: must be between %s and %s" % (name, lo, hi))
        for name, allowed in (("sampler", SAMPLERS), ("style_preset", STYLES), ("clip_guidance_preset", CLIP)):
            if name in body and body[name] not in allowed:
                return ("bad_request", "%s: must be one of %s" % (name, ", ".join(allowed)))
        if accept == "image/png" and body.get("samples", 1) > 1:
            return ("invalid_samples", "samples must be 1 when Accept is image/png")
        if accept not in ("application/json", "image/png"):
            return ("bad_request", "accept: must be application/json or image/png")
        return None

    # -- v2beta ---------------------------------------------------------------------------------

    @staticmethod
    def parse_form(req):
        ctype = req.headers.get("Content-Type") or ""
        if not ctype.startswith("multipart/form-data"):
            return None, "content-type: must be multipart/form-data"
        raw = b"Content-Type: " + ctype.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + req.body
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        if not msg.is_multipart():
            return None, "body: not a multipart/form-data body"
        fields = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name is None:
                return None, "body: a part has no name"
            payload = part.get_payload(decode=True) or b""
            # File parts (the input image) stay bytes; text fields are strings.
            fields[name] = payload if part.get_filename() is not None else payload.decode("utf-8", "replace")
        return fields, None

    @staticmethod
    def png_size(data):
        if not isinstance(data, bytes) or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

    def upscale_fast(self, req, truncate):
        fields, problem = self.parse_form(req)
        if problem:
            return v2_error(400, "bad_request", problem)
        errors = ["%s: unknown field" % k for k in fields if k not in ("image", "output_format")]
        size = self.png_size(fields.get("image"))
        if size is None:
            errors.append("image: required, a PNG, JPEG or WebP file")
        elif not (32 <= size[0] <= 1536 and 32 <= size[1] <= 1536 and 1024 <= size[0] * size[1] <= 1048576):
            errors.append("image: must be 32 to 1536 pixels a side and 1024 to 1048576 pixels in total")
        if fields.get("output_format", "png") not in ("png", "jpeg", "webp"):
            errors.append("output_format: must be one of png, jpeg, webp")
        if errors:
            return v2_error(400, "bad_request", *errors)
        w, h = size[0] * 4, size[1] * 4
        self.state.event("upscaled", source=list(size), width=w, height=h)
        image = png_bytes(w, h, colour_for(w + h))
        if truncate:
            image = image[: len(image) // 2]
        return Reply(200, image, "image/png", {"finish-reason": "SUCCESS", "x-request-id": uuid.uuid4().hex})

    def v2(self, req, truncate):
        endpoint = req.path.rsplit("/", 1)[-1]
        if req.path == "/v2beta/stable-image/upscale/fast":
            return self.upscale_fast(req, truncate)
        if endpoint not in ("core", "ultra", "sd3"):
            return v2_error(404, "not_found", "The requested resource was not found.")
        fields, problem = self.parse_form(req)
        if problem:
            return v2_error(400, "bad_request", problem)
        accept = req.headers.get("Accept") or "image/*"
        if accept not in ("image/*", "application/json"):
            return v2_error(400, "bad_request", "accept: must be image/* or application/json")
        known = {"prompt", "negative_prompt", "aspect_ratio", "seed", "output_format", "style_preset"}
        if endpoint == "sd3":
            known |= {"model", "mode", "cfg_scale"}
        image_to_image = (endpoint == "sd3" and fields.get("mode") == "image-to-image") or (endpoint == "ultra" and "image" in fields)
        source = None
        if image_to_image:
            known |= {"image", "strength"}
            source = self.png_size(fields.get("image"))
            errors = [] if source else ["image: required for image-to-image, a PNG, JPEG or WebP file"]
            try:
                if not 0 <= float(fields.get("strength", "")) <= 1:
                    errors.append("strength: must be between 0 and 1")
            except ValueError:
                errors.append("strength: required for image-to-image, a number between 0 and 1")
            if "aspect_ratio" in fields:
                errors.append("aspect_ratio: not allowed in image-to-image (the input decides)")
        else:
            errors = []
        errors += ["%s: unknown field" % k for k in fields if k not in known]
        prompt = fields.get("prompt", "")
        if not 1 <= len(prompt) <= 10000:
            errors.append("prompt: must be 1 to 10000 characters")
        if len(fields.get("negative_prompt", "")) > 10000:
            errors.append("negative_prompt: at most 10000 characters")
        if fields.get("aspect_ratio", "1:1") not in RATIOS:
            errors.append("aspect_ratio: must be one of %s" % ", ".join(RATIOS))
        if fields.get("output_format", "png") not in ("png", "jpeg", "webp"):
            errors.append("output_format: must be one of png, jpeg, webp")
        if "style_preset" in fields and fields["style_preset"] not in STYLES:
            errors.append("style_preset: unknown preset")
        seed = fields.get("seed", "0")
        if not seed.isdigit() or int(seed) > 4294967294:
            errors.append("seed: must be an integer between 0 and 4294967294")
        if endpoint == "sd3":
            if fields.get("model", "sd3.5-large") not in SD3_MODELS:
                errors.append("model: must be one of %s" % ", ".join(SD3_MODELS))
            if fields.get("mode", "text-to-image") not in ("text-to-image", "image-to-image"):
                errors.append("mode: must be text-to-image or image-to-image")
            if "cfg_scale" in fields:
                try:
                    if not 1 <= float(fields["cfg_scale"]) <= 10:
                        errors.append("cfg_scale: must be between 1 and 10")
                except ValueError:
                    errors.append("cfg_scale: must be a number")
        if errors:
            return v2_error(400, "bad_request", *errors)
        used_seed = int(seed) or 343940597
        w, h = RATIOS[fields.get("aspect_ratio", "1:1")]
        if image_to_image:
            w, h = source
            self.state.event("image-to-image", source=list(source), strength=float(fields["strength"]))
        image = png_bytes(w, h, colour_for(used_seed))
        if truncate:
            image = image[: len(image) // 2]
        reason = "CONTENT_FILTERED" if self.state.active_mode("content_filtered") else "SUCCESS"
        request_id = uuid.uuid4().hex
        if accept == "application/json":
            return Reply(200, json.dumps({"image": base64.b64encode(image).decode(), "finish_reason": reason,
                                          "seed": used_seed}).encode(), "application/json; type=image/png",
                         {"x-request-id": request_id})
        return Reply(200, image, "image/png", {"finish-reason": reason, "seed": str(used_seed), "x-request-id": request_id})


if __name__ == "__main__":
    raise SystemExit(serve(StabilityHandler, "Stability AI API emulator", "test-token-stability"))
