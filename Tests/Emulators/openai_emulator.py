#!/usr/bin/env python3
"""Emulator of OpenAI's Images API (https://api.openai.com/v1), for the plugin tests.

Serves what OpenAI's API reference describes for the GPT image models (shared/reference/
providers-2026.md): `Authorization: Bearer <key>`,
  POST /v1/images/generations  {model, prompt, n, size, quality, output_format, moderation,
                               background, output_compression} → 200
                               {created, data: [{b64_json}], output_format, quality, size,
                               usage: {input_tokens, input_tokens_details{text_tokens,
                               image_tokens}, output_tokens, output_tokens_details{image_tokens,
                               text_tokens}, total_tokens}}
  POST /v1/images/edits  multipart/form-data: `image` (or `image[]`; PNG/JPEG/WebP files, required),
                         prompt, model, n, size, quality, output_format, background,
                         output_compression, input_fidelity (high|low), user; no `moderation`.
                         Same answer as generations; image input tokens are counted. Logs
                         "edit" with the input's PNG size and input_fidelity.
Synchronous, base64 only (GPT image models return no URLs; `response_format` is refused).
Sizes: gpt-image-1 1024x1024 / 1536x1024 / 1024x1536 / auto; gpt-image-2 any WxH with edges
multiples of 16, long edge ≤ 3840, ratio ≤ 3:1, 655,360…8,294,400 px. Errors are
`{"error": {message, type, param, code}}`; a 401 echoes the key masked, as OpenAI does.

Fault modes (POST /__emulator/scenario {"mode": ..., "on": "create", "times": n}):
  unauthorized (401 invalid_api_key), insufficient_quota (429), rate_limited (429
  rate_limit_exceeded; "retry_after" adds Retry-After, else only x-ratelimit-reset-requests),
  moderation_blocked (400), server_error (500), bad_gateway (502), drop, malformed, hang;
  standing modes: usage {"input_text", "input_image", "output_image", "output_text"} pins the
  reported token counts; truncated_image (the base64 holds half a PNG).
"""

import base64
import email.parser
import email.policy
import re
import time

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

MODELS = ("gpt-image-1", "gpt-image-1.5", "gpt-image-2")
FIXED = ("1024x1024", "1536x1024", "1024x1536", "auto")
KNOWN = {"model", "prompt", "n", "size", "quality", "output_format", "moderation", "background",
         "output_compression", "user", "partial_images", "stream"}
# Output image tokens per megapixel by quality (OpenAI's table: 1024² = 272 / 1056 / 4160).
TOKENS_PER_MP = {"low": 259, "medium": 1007, "high": 3967, "auto": 1007}


def error(status, message, kind, code, param=None, headers=None):
    return Reply.json(status, {"error": {"message": message, "type": kind, "param": param, "code": code}}, headers)


def size_ok(model, size):
    if model != "gpt-image-2":
        return size in FIXED
    if size == "auto":
        return True
    m = re.match(r"^(\d+)x(\d+)$", size or "")
    if not m:
        return False
    w, h = int(m.group(1)), int(m.group(2))
    return (w % 16 == 0 and h % 16 == 0 and max(w, h) <= 3840 and max(w, h) <= 3 * min(w, h)
            and 655_360 <= w * h <= 8_294_400)


class OpenAIHandler(EmulatorHandler):
    standing_modes = ("usage", "truncated_image")

    def classify(self, req):
        if req.method == "POST" and req.path in ("/v1/images/generations", "/v1/images/edits"):
            return "create"
        return "other"

    def auth_ok(self, req):
        return (req.headers.get("Authorization") or "") == "Bearer " + self.token

    def answer(self, req):
        fault = req.fault or {}
        mode = fault.get("mode")
        if mode == "unauthorized" or (req.kind == "create" and not self.auth_ok(req)):
            sent = (req.headers.get("Authorization") or "")[len("Bearer "):]
            masked = sent[:3] + "*" * 10 + sent[-4:] if len(sent) > 8 else "***"
            return error(401, "Incorrect API key provided: %s. You can find your API key at "
                              "https://platform.openai.com/account/api-keys." % masked,
                         "invalid_request_error", "invalid_api_key")
        if mode == "insufficient_quota":
            return error(429, "You exceeded your current quota, please check your plan and billing details.",
                         "insufficient_quota", "insufficient_quota")
        if mode == "rate_limited":
            headers = {"x-ratelimit-reset-requests": fault.get("reset", "2s"), "x-ratelimit-remaining-requests": "0"}
            if "retry_after" in fault:
                headers["Retry-After"] = str(fault["retry_after"])
            return error(429, "Rate limit reached for images per minute. Please try again later.", "requests",
                         "rate_limit_exceeded", headers=headers)
        if mode == "moderation_blocked":
            return error(400, "Your request was rejected as a result of our safety system. Your request may contain "
                              "content that is not allowed by our safety system.", "image_generation_user_error",
                         "moderation_blocked")
        if mode == "server_error":
            return error(500, "The server had an error while processing your request. Sorry about that!", "server_error", None)
        if mode == "bad_gateway":
            return Reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        if req.kind != "create":
            return error(404, "Invalid URL (%s %s)" % (req.method, req.path), "invalid_request_error", None)
        if req.path == "/v1/images/edits":
            return self.edit(req)
        return self.generate(req)

    def edit(self, req):
        ctype = req.headers.get("Content-Type") or ""
        if not ctype.startswith("multipart/form-data"):
            return error(400, "Invalid Content-Type header (%s), expected multipart/form-data." % ctype,
                         "invalid_request_error", None)
        raw = b"Content-Type: " + ctype.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + req.body
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        data, images = {}, []
        for part in msg.iter_parts() if msg.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name in ("image", "image[]"):
                images.append(payload)
            else:
                data[name] = payload.decode("utf-8", "replace")
        if not images:
            return error(400, "Missing required parameter: 'image'.", "invalid_request_error", "missing_required_parameter", "image")
        sizes = []
        for image in images:
            if image[:8] != b"\x89PNG\r\n\x1a\n" and image[:3] != b"\xff\xd8\xff" and image[8:12] != b"WEBP":
                return error(400, "Invalid image file or mode for image 1, please check your image file.",
                             "invalid_request_error", "invalid_image_file", "image")
            sizes.append([int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")] if image[:4] == b"\x89PNG" else None)
        if "moderation" in data:
            return error(400, "Unknown parameter: 'moderation'.", "invalid_request_error", "unknown_parameter", "moderation")
        if data.get("input_fidelity", "low") not in ("high", "low"):
            return error(400, "Invalid value: '%s'." % data["input_fidelity"], "invalid_request_error", "invalid_value", "input_fidelity")
        fidelity = data.pop("input_fidelity", None)
        for key in ("n", "output_compression"):
            if key in data:
                try:
                    data[key] = int(data[key])
                except ValueError:
                    return error(400, "Invalid '%s': integer expected." % key, "invalid_request_error", "invalid_type", key)
        self.state.event("edit", source=sizes[0], images=len(images), input_fidelity=fidelity)
        return self.generate(req, data, image_tokens=len(images) * 323)

    def generate(self, req, data=None, image_tokens=0):
        if data is None:
            data = req.json()
        if not isinstance(data, dict):
            return error(400, "We could not parse the JSON body of your request.", "invalid_request_error", None)
        for key in data:
            if key not in KNOWN:
                return error(400, "Unknown parameter: '%s'." % key, "invalid_request_error", "unknown_parameter", key)
        model = data.get("model")
        if model not in MODELS:
            return error(404, "The model '%s' does not exist or you do not have access to it." % model,
                         "invalid_request_error", "model_not_found")
        prompt = data.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return error(400, "Missing required parameter: 'prompt'.", "invalid_request_error", "missing_required_parameter", "prompt")
        n = data.get("n", 1)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 10:
            return error(400, "Invalid 'n': integer between 1 and 10 expected.", "invalid_request_error", "integer_out_of_range", "n")
        size = data.get("size", "auto")
        if not size_ok(model, size):
            return error(400, "Invalid value: '%s'. Supported sizes depend on the model." % size, "invalid_request_error",
                         "invalid_value", "size")
        for key, allowed in (("quality", ("low", "medium", "high", "auto")), ("output_format", ("png", "jpeg", "webp")),
                             ("moderation", ("auto", "low")), ("background", ("transparent", "opaque", "auto"))):
            if key in data and data[key] not in allowed:
                return error(400, "Invalid value: '%s'." % data[key], "invalid_request_error", "invalid_value", key)
        w, h = (1024, 1024) if size == "auto" else map(int, size.split("x"))
        quality = data.get("quality", "auto")
        pinned = self.state.active_mode("usage")
        truncated = self.state.active_mode("truncated_image") is not None
        images = []
        for i in range(n):
            png = png_bytes(min(w, 128), min(h, 128), colour_for(len(prompt) + i))
            if truncated:
                png = png[: len(png) // 2]
            images.append({"b64_json": base64.b64encode(png).decode()})
        if pinned:
            text_in, image_in = pinned.get("input_text", 0), pinned.get("input_image", 0)
            image_out, text_out = pinned.get("output_image", 0), pinned.get("output_text", 0)
        else:
            text_in, image_in = len(prompt.split()) + 6, image_tokens
            image_out, text_out = n * round(TOKENS_PER_MP[quality] * w * h / 1_000_000), 0
        usage = {"input_tokens": text_in + image_in, "input_tokens_details": {"text_tokens": text_in, "image_tokens": image_in},
                 "output_tokens": image_out + text_out,
                 "output_tokens_details": {"image_tokens": image_out, "text_tokens": text_out},
                 "total_tokens": text_in + image_in + image_out + text_out}
        rid = "req_%012d" % int(self.state.next_id())
        return Reply.json(200, {"created": int(time.time()), "background": "opaque", "data": images,
                                "output_format": data.get("output_format", "png"), "quality": quality,
                                "size": "%dx%d" % (w, h), "usage": usage}, {"x-request-id": rid})


if __name__ == "__main__":
    raise SystemExit(serve(OpenAIHandler, "OpenAI Images API emulator", "openai-test-key"))
