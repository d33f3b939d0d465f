#!/usr/bin/env python3
"""Emulator of Black Forest Labs' FLUX API (https://api.bfl.ai), for the plugin tests.

Serves what BFL's API reference and docs describe (docs.bfl.ai; shared/reference/
providers-2026.md): key in `x-key`,
  POST /v1/{model}            create a task: {id, polling_url, cost, input_mp, output_mp}
                              (cost in credits, 1 credit = $0.01, from BFL's price list)
  GET  /v1/get_result?id=     {id, status, result, progress, details}; status Pending, Ready,
                              Request Moderated, Content Moderated, Error, Task not found
  GET  /v1/credits            {credits}
  GET  /delivery/{file}?se=&sig=   the signed result file (no key), valid 10 minutes after
                              the task is ready (403 AuthenticationFailed after `se`)
Each get_result read moves a task one step (Pending → Ready), so tests need not wait.
Bodies are checked per model: FLUX.2 takes width/height (≥ 64, multiples of 16) and
safety_tolerance 0…5; FLUX1.1 [pro] width/height (256…1440, multiples of 32); Kontext and
Ultra an aspect_ratio between 21:9 and 9:21; the FLUX.1 endpoints safety_tolerance 0…6.
Kontext (and FLUX.2) take `input_image`, a base64 image (or URL) to edit; it must decode.

Fault modes (POST /__emulator/scenario {"mode": ..., "on": <kind>, "times": n}); kinds are
create, get, credits, file:
  unauthorized (401), insufficient_credits (402), rate_limited (429, "retry_after" or
  "header": false), server_error (500), bad_gateway (502), invalid (422), drop, malformed, hang;
  standing modes for new tasks: request_moderated, content_moderated, task_error,
  never_finishes, foreign_polling_url (a polling_url on a host outside bfl.ai);
  on file downloads: truncated_image, expired_output.
"""

import base64
import datetime
import re

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

# Credits: FLUX.2 = first megapixel + each further megapixel; FLUX.1 per image.
PRICES = {
    "flux-2-pro": (3.0, 1.5), "flux-2-max": (7.0, 3.0), "flux-2-flex": (6.0, 6.0),
    "flux-2-klein-4b": (1.4, 0.1), "flux-2-klein-9b": (1.5, 0.2),
    "flux-kontext-pro": (4.0, None), "flux-kontext-max": (8.0, None),
    "flux-pro-1.1": (4.0, None), "flux-pro-1.1-ultra": (6.0, None),
}
RATIO = re.compile(r"^(\d+):(\d+)$")


def detail(status, text, headers=None):
    return Reply.json(status, {"detail": text}, headers)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def validate(model, data):
    if not isinstance(data, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    errors = []

    def err(field, msg):
        errors.append({"loc": ["body", field], "msg": msg, "type": "value_error"})

    def integer(v):
        return isinstance(v, int) and not isinstance(v, bool)

    if not isinstance(data.get("prompt"), str) or not data.get("prompt"):
        err("prompt", "Field required")
    flux2 = model.startswith("flux-2-")
    tol = data.get("safety_tolerance", 2)
    top = 5 if flux2 else 6
    if not integer(tol) or not 0 <= tol <= top:
        err("safety_tolerance", "Input should be less than or equal to %d" % top)
    if data.get("output_format", "jpeg") not in ("jpeg", "png"):
        err("output_format", "Input should be 'jpeg' or 'png'")
    if "seed" in data and not integer(data["seed"]):
        err("seed", "Input should be a valid integer")
    if flux2 or model == "flux-pro-1.1":
        multiple, lo, hi = (16, 64, 4096) if flux2 else (32, 256, 1440)
        for k in ("width", "height"):
            v = data.get(k)
            if v is None:
                continue
            if not integer(v) or v < lo or v > hi or v % multiple:
                err(k, "must be a multiple of %d in %d..%d" % (multiple, lo, hi))
        if "aspect_ratio" in data:
            err("aspect_ratio", "Extra inputs are not permitted")
    else:
        m = RATIO.match(str(data.get("aspect_ratio", "1:1")))
        if not m or not 9 / 21 <= int(m.group(1)) / max(1, int(m.group(2))) <= 21 / 9:
            err("aspect_ratio", "Aspect ratio must be between 21:9 and 9:21")
        for k in ("width", "height"):
            if k in data:
                err(k, "Extra inputs are not permitted")
    if model != "flux-2-flex":
        for k in ("steps", "guidance"):
            if k in data:
                err(k, "Extra inputs are not permitted")
    if "input_image" in data:
        if not (model.startswith("flux-kontext-") or flux2):
            err("input_image", "Extra inputs are not permitted")
        elif input_image_size(data["input_image"]) is None:
            err("input_image", "Input image must be a base64 encoded image or a URL to an image")
    return errors


def input_image_size(value):
    """(width, height) of a base64 PNG input image; None when it is not one (URLs are not fetched here)."""
    if not isinstance(value, str):
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class BFLHandler(EmulatorHandler):
    standing_modes = ("request_moderated", "content_moderated", "task_error", "never_finishes", "foreign_polling_url")
    recorded_headers = ("content-type", "accept")

    def classify(self, req):
        p = req.path
        if p.startswith("/delivery/"):
            return "file"
        if p == "/v1/get_result":
            return "get"
        if p == "/v1/credits":
            return "credits"
        if req.method == "POST" and p.startswith("/v1/"):
            return "create"
        return "other"

    def auth_ok(self, req):
        return req.headers.get("x-key") == self.token

    def answer(self, req):
        fault = req.fault or {}
        mode = fault.get("mode")
        if mode == "unauthorized":
            return detail(401, "Invalid API key")
        if mode == "insufficient_credits":
            return detail(402, "Insufficient credits. Add credits at https://dashboard.bfl.ai")
        if mode == "rate_limited":
            headers = {"Retry-After": str(fault.get("retry_after", 1))} if fault.get("header", True) else {}
            return detail(429, "You have exceeded the number of active tasks", headers)
        if mode == "server_error":
            return detail(500, "Internal Server Error")
        if mode == "bad_gateway":
            return Reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        if mode == "invalid":
            return Reply.json(422, {"detail": [{"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]})

        if req.kind == "file":
            return self.file(req, mode)
        if not req.headers.get("x-key"):
            return detail(403, "Not authenticated")
        if not self.auth_ok(req):
            return detail(401, "Invalid API key")
        if req.kind == "create":
            return self.create(req)
        if req.kind == "get":
            return self.get(req)
        if req.kind == "credits":
            return Reply.json(200, {"credits": 1234.5})
        return detail(404, "Not Found")

    def create(self, req):
        model = req.path[len("/v1/"):]
        if model not in PRICES:
            return detail(404, "Not Found")
        data = req.json()
        errors = validate(model, data)
        if errors:
            return Reply.json(422, {"detail": errors})
        first, per = PRICES[model]
        if "width" in data or model.startswith("flux-2-"):
            mp = round(data.get("width", 1024) * data.get("height", 768) / 1e6, 2)
        else:
            mp = 1.0
        cost = round(first + (per or 0) * max(0.0, mp - 1), 2) if per is not None else first
        tid = "%08d-bfl0-4000-8000-000000000000" % int(self.state.next_id())
        behaviour = {m: self.state.active_mode(m) is not None for m in self.standing_modes}
        with self.state.lock:
            self.state.jobs[tid] = {"id": tid, "model": model, "input": data, "step": 0, "behaviour": behaviour}
        if "input_image" in data:
            self.state.event("image_input", id=tid, model=model, source=list(input_image_size(data["input_image"])),
                             aspect_ratio=data.get("aspect_ratio"))
        host = "http://localhost:%s" % self.base.rsplit(":", 1)[1] if behaviour["foreign_polling_url"] else self.base
        return Reply.json(200, {"id": tid, "polling_url": "%s/v1/get_result?id=%s" % (host, tid), "cost": cost,
                                "input_mp": 0.0, "output_mp": mp})

    def get(self, req):
        tid = (req.query.get("id") or [""])[0]
        with self.state.lock:
            job = self.state.jobs.get(tid)
        if job is None:
            return Reply.json(200, {"id": tid, "status": "Task not found", "result": None, "progress": None, "details": None})
        b = job["behaviour"]
        if not b["never_finishes"]:
            job["step"] = min(job["step"] + 1, 2)
        if job["step"] < 2 or b["never_finishes"]:
            return Reply.json(200, {"id": tid, "status": "Pending", "result": None, "progress": 0.5, "details": None})
        if b["request_moderated"]:
            return Reply.json(200, {"id": tid, "status": "Request Moderated", "result": None, "progress": None,
                                    "details": {"Moderation Reasons": ["Input prompt flagged"]}})
        if b["content_moderated"]:
            return Reply.json(200, {"id": tid, "status": "Content Moderated", "result": None, "progress": None,
                                    "details": {"Moderation Reasons": ["Output image flagged"]}})
        if b["task_error"]:
            return Reply.json(200, {"id": tid, "status": "Error", "result": None, "progress": None,
                                    "details": {"error": "Generation failed"}})
        if "ready_at" not in job:
            job["ready_at"] = datetime.datetime.now(datetime.timezone.utc)
        expiry = job["ready_at"] + datetime.timedelta(minutes=10)
        ext = "png" if job["input"].get("output_format") == "png" else "jpg"
        sample = "%s/delivery/%s/sample.%s?se=%s&sp=r&sig=c2lnbmF0dXJl" % (self.base, tid, ext, iso(expiry))
        return Reply.json(200, {"id": tid, "status": "Ready", "progress": None, "details": None,
                                "result": {"sample": sample, "prompt": job["input"].get("prompt"),
                                           "seed": job["input"].get("seed", 7), "start_time": 0, "end_time": 1, "duration": 1}})

    def file(self, req, mode):
        expired = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Signature not valid in the specified time frame</Message></Error>"
        se = (req.query.get("se") or [""])[0]
        if mode == "expired_output" or (se and se < iso(datetime.datetime.now(datetime.timezone.utc))):
            return Reply(403, expired.encode(), "application/xml")
        tid = req.path.split("/")[2]
        body = png_bytes(64, 48, colour_for(sum(tid.encode())))
        # Only PNG bytes exist here: a jpeg task gets a PNG under its .jpg name.
        return Reply(200, body, "image/png", truncate=(mode == "truncated_image"))


if __name__ == "__main__":
    raise SystemExit(serve(BFLHandler, "Black Forest Labs API emulator", "bfl-test-key"))
