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
        if req.method == "POST" and req.path == "/v1/images/generations":
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
        return self.generate(req)

    def generate(self, req):
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
            text_in, image_in = len(prompt.split()) + 6, 0
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
