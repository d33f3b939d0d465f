#!/usr/bin/env python3
"""Emulator of fal.ai's queue API (https://queue.fal.run), for the plugin tests.

Serves what fal's docs describe (docs.fal.ai, model-apis/inference/queue, api-reference/
inference-api, errors, request-errors; shared/reference/providers-2026.md):
  POST /{owner}/{app}[/{path}]                 queue a request: 200 {request_id, response_url,
                                               status_url, cancel_url, queue_position}
  GET  /{owner}/{app}/requests/{id}/status     202 IN_QUEUE / IN_PROGRESS, 200 COMPLETED
  GET  /{owner}/{app}/requests/{id}            the result (400 while not completed)
  PUT  /{owner}/{app}/requests/{id}/cancel     202 CANCELLATION_REQUESTED, 400 ALREADY_COMPLETED
  GET  /files/{name}                           output files (fal's CDN: no key needed)
`Authorization: Key <key>`. As fal documents, the status, result and cancel URLs use only the
owner and app of the model id, not its endpoint path: a client that builds
`/fal-ai/flux-1/dev/requests/...` itself gets 404 here.

Every status read moves a job one step (IN_QUEUE → IN_PROGRESS → COMPLETED), so tests need not
wait. Inputs are checked against the FLUX [dev]/[schnell] schemas (types and ranges); a
missing prompt or a wrong type is a 422 with fal's `detail` list.

Fault modes (POST /__emulator/scenario {"mode": ..., "on": <kind>, "times": n}); kinds are
create, status, result, cancel, file:
  unauthorized (401), locked (403 "User is locked. Reason: Exhausted balance"), rate_limited
  (429 + Retry-After "retry_after"), server_error (500), bad_gateway (502), invalid (422),
  content_policy (422 content_policy_violation), drop, malformed, hang;
  standing modes for new requests: nsfw (every image flagged), nsfw_partial (the first one),
  model_content_policy (the result is a 422 content_policy_violation), request_error (the
  result is a 504 request_timeout after fal's retries), never_finishes, data_url;
  on file downloads: truncated_image, expired_output.
"""

import base64
import time

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

MODELS = {
    "fal-ai/flux-1/dev": {"max_steps": 50, "guidance": True},
    "fal-ai/flux-1/schnell": {"max_steps": 12, "guidance": False},
}
SIZE_ENUM = ["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"]
LOCKED = "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."


def detail(status, items):
    return Reply.json(status, {"detail": items})


def problem(status, text, error_type=None):
    body = {"detail": text}
    headers = {}
    if error_type:
        body["error_type"] = error_type
        headers["X-Fal-Error-Type"] = error_type
    return Reply.json(status, body, headers)


def validate(model, data):
    """Errors as fal's `detail` list ({loc, msg, type})."""
    spec = MODELS[model]
    if not isinstance(data, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    errors = []

    def err(field, msg, kind="value_error"):
        errors.append({"loc": ["body", field], "msg": msg, "type": kind})

    def integer(v):
        return isinstance(v, int) and not isinstance(v, bool)

    if not isinstance(data.get("prompt"), str):
        err("prompt", "Field required" if "prompt" not in data else "Input should be a valid string",
            "missing" if "prompt" not in data else "string_type")
    size = data.get("image_size")
    if size is not None:
        if isinstance(size, dict):
            for k in ("width", "height"):
                if not integer(size.get(k)) or not 1 <= size[k] <= 14142:
                    err("image_size", "%s must be an integer in 1..14142" % k)
        elif size not in SIZE_ENUM:
            err("image_size", "Input should be one of %s or {width, height}" % ", ".join(SIZE_ENUM), "enum")
    n = data.get("num_images")
    if n is not None and (not integer(n) or not 1 <= n <= 4):
        err("num_images", "Input should be between 1 and 4")
    steps = data.get("num_inference_steps")
    if steps is not None and (not integer(steps) or not 1 <= steps <= spec["max_steps"]):
        err("num_inference_steps", "Input should be between 1 and %d" % spec["max_steps"])
    g = data.get("guidance_scale")
    if g is not None:
        if not spec["guidance"]:
            err("guidance_scale", "Extra inputs are not permitted", "extra_forbidden")
        elif not isinstance(g, (int, float)) or isinstance(g, bool) or not 1 <= g <= 20:
            err("guidance_scale", "Input should be between 1 and 20")
    seed = data.get("seed")
    if seed is not None and not integer(seed):
        err("seed", "Input should be a valid integer", "int_type")
    for flag in ("enable_safety_checker", "sync_mode"):
        if flag in data and not isinstance(data[flag], bool):
            err(flag, "Input should be a valid boolean", "bool_type")
    if data.get("output_format", "jpeg") not in ("jpeg", "png"):
        err("output_format", "Input should be 'jpeg' or 'png'", "enum")
    return errors


class FalHandler(EmulatorHandler):
    standing_modes = ("nsfw", "nsfw_partial", "model_content_policy", "request_error", "never_finishes", "data_url")

    def do_PUT(self):
        self._dispatch("PUT")

    def classify(self, req):
        p = req.path
        if p.startswith("/files/"):
            return "file"
        if "/requests/" in p:
            if req.method == "PUT" and p.endswith("/cancel"):
                return "cancel"
            if p.endswith("/status"):
                return "status"
            return "result"
        if req.method == "POST":
            return "create"
        return "other"

    def auth_ok(self, req):
        return (req.headers.get("Authorization") or "") == "Key " + self.token

    def answer(self, req):
        fault = req.fault or {}
        mode = fault.get("mode")
        if mode == "unauthorized":
            return problem(401, "Unauthorized")
        if mode == "locked":
            return problem(403, LOCKED)
        if mode == "rate_limited":
            return Reply.json(429, {"detail": "Too many concurrent requests"}, {"Retry-After": str(fault.get("retry_after", 1))})
        if mode == "server_error":
            return problem(500, "Internal server error")
        if mode == "bad_gateway":
            return Reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        if mode == "invalid":
            return detail(422, [{"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}])
        if mode == "content_policy":
            return detail(422, [self.policy_error("prompt")])

        if req.kind == "file":
            return self.file(req, mode)
        if not self.auth_ok(req):
            return problem(401, "Unauthorized" if req.headers.get("Authorization") else "Authentication is required")
        if req.kind == "create":
            return self.create(req)
        job = self.find(req)
        if job is None:
            return problem(404, "Request not found")
        if req.kind == "status":
            return self.status(job)
        if req.kind == "result":
            return self.result(job)
        if req.kind == "cancel":
            return self.cancel(job)
        return problem(404, "Not found")

    @staticmethod
    def policy_error(field):
        return {"loc": ["body", field], "msg": "The content was flagged by a content checker.",
                "type": "content_policy_violation", "url": "https://docs.fal.ai/errors#content_policy_violation",
                "input": "<flagged>", "categories": ["sexual"]}

    # -- requests ---------------------------------------------------------------------------

    def create(self, req):
        model = req.path.lstrip("/")
        if model not in MODELS:
            return problem(404, "Application '%s' not found" % model)
        data = req.json()
        errors = validate(model, data)
        if errors:
            return detail(422, errors)
        app = "/".join(model.split("/")[:2])
        rid = "%08x-0000-4000-8000-%012d" % (int(time.time()) & 0xFFFFFFFF, int(self.state.next_id()))
        behaviour = {m: self.state.active_mode(m) is not None for m in self.standing_modes}
        with self.state.lock:
            self.state.jobs[rid] = {"id": rid, "app": app, "model": model, "input": data, "step": 0,
                                    "cancelled": False, "behaviour": behaviour}
        base = "%s/%s/requests/%s" % (self.base, app, rid)
        return Reply.json(200, {"request_id": rid, "response_url": base, "status_url": base + "/status",
                                "cancel_url": base + "/cancel", "queue_position": 0})

    def find(self, req):
        parts = req.path.strip("/").split("/")
        # {owner}/{app}/requests/{id}[/status|/cancel]: the app only, never the endpoint path.
        if len(parts) < 4 or parts[2] != "requests":
            return None
        with self.state.lock:
            job = self.state.jobs.get(parts[3])
        if job is None or job["app"] != "/".join(parts[:2]):
            return None
        return job

    def status(self, job):
        url = "%s/%s/requests/%s" % (self.base, job["app"], job["id"])
        if job["cancelled"]:
            return Reply.json(200, {"status": "COMPLETED", "response_url": url, "error": "Request was cancelled",
                                    "error_type": "request_cancelled"})
        if not job["behaviour"]["never_finishes"]:
            job["step"] = min(job["step"] + 1, 2)
        if job["step"] == 0:
            return Reply.json(202, {"status": "IN_QUEUE", "queue_position": 0, "response_url": url})
        if job["step"] == 1 or job["behaviour"]["never_finishes"]:
            return Reply.json(202, {"status": "IN_PROGRESS", "response_url": url, "logs": None})
        return Reply.json(200, {"status": "COMPLETED", "response_url": url, "logs": None,
                                "metrics": {"inference_time": 1.25}})

    def result(self, job):
        if job["step"] < 2 and not job["cancelled"]:
            return problem(400, "Request is still in progress")
        b = job["behaviour"]
        if job["cancelled"]:
            return problem(400, "Request was cancelled", "request_cancelled")
        if b["model_content_policy"]:
            return detail(422, [self.policy_error("prompt")])
        if b["request_error"]:
            return problem(504, "Request timed out", "request_timeout")
        data = job["input"]
        size = data.get("image_size") or {"width": 1024, "height": 768}
        if not isinstance(size, dict):
            size = {"width": 1024, "height": 1024}
        n = data.get("num_images", 1)
        seed = data.get("seed", 12345)
        fmt = data.get("output_format", "jpeg")
        images, flags = [], []
        for i in range(n):
            flagged = b["nsfw"] or (b["nsfw_partial"] and i == 0)
            flags.append(flagged)
            # Only PNG bytes exist here; a jpeg request is answered with PNG named as such by type.
            name = "%s_%d%s.png" % (job["id"], i, "_black" if flagged else "")
            url = "%s/files/%s" % (self.base, name)
            if b["data_url"]:
                url = "data:image/png;base64," + base64.b64encode(self.image(name, size)).decode()
            images.append({"url": url, "width": size["width"], "height": size["height"], "content_type": "image/png",
                           "file_name": name})
        body = {"images": images, "timings": {"inference": 1.25}, "seed": seed, "prompt": data.get("prompt")}
        if data.get("enable_safety_checker", True):
            body["has_nsfw_concepts"] = flags
        return Reply.json(200, body)

    def cancel(self, job):
        self.state.event("cancel", id=job["id"])
        if job["step"] >= 2 or job["cancelled"]:
            return Reply.json(400, {"status": "ALREADY_COMPLETED"})
        job["cancelled"] = True
        return Reply.json(202, {"status": "CANCELLATION_REQUESTED"})

    # -- files ------------------------------------------------------------------------------

    @staticmethod
    def image(name, size):
        w, h = min(size["width"], 256), min(size["height"], 256)
        colour = (0, 0, 0) if "_black" in name else colour_for(sum(name.encode()))
        return png_bytes(w, h, colour)

    def file(self, req, mode):
        if mode == "expired_output":
            return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        name = req.path[len("/files/"):]
        body = self.image(name, {"width": 64, "height": 64})
        return Reply(200, body, "image/png", truncate=(mode == "truncated_image"))


if __name__ == "__main__":
    raise SystemExit(serve(FalHandler, "fal.ai queue API emulator", "fal-test-key"))
