#!/usr/bin/env python3
"""Emulator of the AUTOMATIC1111 / SD-WebUI Forge API (`--api`), for the plugin tests.

Serves what modules/api/api.py and modules/progress.py do (see
shared/reference/providers-2026.md §2):

- POST /sdapi/v1/txt2img: BLOCKS until the images exist (requests are serialised by one
  queue lock, as in the WebUI), then {images: [base64 PNG], parameters, info: "<JSON string>"}.
  Validation errors are FastAPI's 422 {"detail": [{loc, msg, type}]}; failures inside the run
  are 500 {"error", "detail", "body", "errors"}. Unknown fields are ignored (pydantic).
  force_task_id names the run in the task registry.
- POST /sdapi/v1/img2img: as txt2img, plus init_images (a list of base64 images, required) and
  denoising_strength (0..1); the output has the requested width/height. The emulator logs
  "img2img" with the source's size and the strength.
- POST /sdapi/v1/extra-single-image: {image: base64, upscaling_resize: 1..8, upscaler_1} ->
  {html_info, image: base64 PNG} of the input's size x upscaling_resize (no task id, no queue
  registry). Logs "upscaled".
- GET /sdapi/v1/progress -> {progress, eta_relative, state{job_count, sampling_step,
  sampling_steps, interrupted, ...}, current_image, textinfo}.
- POST /internal/progress {id_task} -> {active, queued, completed, progress, eta, ...}.
- POST /sdapi/v1/interrupt: stops the current run (it then answers early with what it has).

--require-auth turns on `--api-auth`: HTTP Basic with "user:<token>"; 401
{"detail": "Incorrect username or password"} otherwise.

A run lasts "seconds" (scenario mode "slow", default 0.05 s). Fault modes (POST
/__emulator/scenario {"mode": ..., "on": "create", "times": n}): slow (standing, {"seconds": s}),
server_error (500 CUDA out of memory), no_api (404: started without --api), truncated_image,
drop, malformed, hang.
"""

import base64
import json
import random
import threading
import time

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

SAMPLERS = ["Euler a", "Euler", "DPM++ 2M", "DPM++ 2M SDE", "DDIM"]
INTS = ("width", "height", "steps", "batch_size", "n_iter", "seed")


def png_size(b64):
    """(width, height) of a base64 PNG, from its IHDR; None when it is not one."""
    try:
        data = base64.b64decode(b64, validate=True)
    except Exception:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class Runner:
    """The WebUI's one GPU: a queue lock, the current task and the task registry."""

    def __init__(self):
        self.queue_lock = threading.Lock()
        self.lock = threading.Lock()
        self.current = None
        self.pending = set()
        self.finished = []
        self.progress = 0.0
        self.interrupted = False


class A1111Handler(EmulatorHandler):
    standing_modes = ("slow",)
    require_auth = False

    def classify(self, req):
        if req.method == "POST" and req.path in ("/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/sdapi/v1/extra-single-image"):
            return "create"
        if req.path in ("/sdapi/v1/progress", "/internal/progress"):
            return "progress"
        if req.path == "/sdapi/v1/interrupt":
            return "interrupt"
        return "other"

    def auth_ok(self, req):
        expected = "Basic " + base64.b64encode(("user:" + self.token).encode()).decode()
        return not self.require_auth or (req.headers.get("Authorization") or "") == expected

    def runner(self):
        with self.state.lock:
            r = self.state.jobs.get("runner")
            if r is None:
                r = self.state.jobs["runner"] = Runner()
            return r

    def answer(self, req):
        mode = (req.fault or {}).get("mode")
        if not self.auth_ok(req):
            return Reply.json(401, {"detail": "Incorrect username or password"}, {"WWW-Authenticate": "Basic"})
        if mode == "no_api":
            return Reply.json(404, {"detail": "Not Found"})
        r = self.runner()
        if req.path == "/sdapi/v1/progress":
            with r.lock:
                active = r.current is not None
                return Reply.json(200, {"progress": r.progress if active else 0.0, "eta_relative": 0.5 if active else 0.0,
                                        "state": {"skipped": False, "interrupted": r.interrupted, "job": "", "job_count": 1 if active else 0,
                                                  "job_timestamp": "0", "job_no": 0, "sampling_step": int(r.progress * 20),
                                                  "sampling_steps": 20},
                                        "current_image": None, "textinfo": None})
        if req.path == "/internal/progress":
            task = (req.json() or {}).get("id_task")
            with r.lock:
                return Reply.json(200, {"active": task == r.current, "queued": task in r.pending, "paused": False,
                                        "completed": task in r.finished, "progress": r.progress if task == r.current else None,
                                        "eta": None, "live_preview": None, "id_live_preview": -1,
                                        "textinfo": "Queued..." if task in r.pending else "Waiting..."})
        if req.path == "/sdapi/v1/interrupt":
            with r.lock:
                if r.current is not None:
                    r.interrupted = True
                    self.state.event("interrupt", task=r.current)
            return Reply.json(200, {})
        if req.kind != "create":
            return Reply.json(404, {"detail": "Not Found"})
        body = req.json()
        if not isinstance(body, dict):
            return Reply.json(422, {"detail": [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]})
        if req.path.endswith("extra-single-image"):
            return self.upscale(body)
        problems = []
        if req.path.endswith("img2img"):
            sizes = [png_size(b) for b in body.get("init_images") or [] if isinstance(b, str)]
            if not body.get("init_images") or None in sizes:
                problems.append({"loc": ["body", "init_images"], "msg": "a list of base64 images is required", "type": "value_error"})
            strength = body.get("denoising_strength", 0.75)
            if not isinstance(strength, (int, float)) or isinstance(strength, bool) or not 0 <= strength <= 1:
                problems.append({"loc": ["body", "denoising_strength"], "msg": "ensure this value is within 0..1", "type": "value_error"})
            if not problems:
                self.state.event("img2img", source=list(sizes[0]), strength=strength)
        for key in INTS:
            if key in body and not (isinstance(body[key], int) and not isinstance(body[key], bool)) \
                    and not (isinstance(body[key], float) and body[key] == int(body[key])):
                problems.append({"loc": ["body", key], "msg": "value is not a valid integer", "type": "type_error.integer"})
        if "cfg_scale" in body and not isinstance(body["cfg_scale"], (int, float)):
            problems.append({"loc": ["body", "cfg_scale"], "msg": "value is not a valid float", "type": "type_error.float"})
        if not isinstance(body.get("prompt", ""), str):
            problems.append({"loc": ["body", "prompt"], "msg": "str type expected", "type": "type_error.str"})
        if problems:
            return Reply.json(422, {"detail": problems})
        if body.get("sampler_name") is not None and body["sampler_name"] not in SAMPLERS:
            return Reply.json(500, {"error": "RuntimeError", "detail": "", "body": "",
                                    "errors": "Sampler not found: %s" % body["sampler_name"]})
        return self.run(r, body, mode)

    def upscale(self, body):
        size = png_size(body.get("image")) if isinstance(body.get("image"), str) else None
        factor = body.get("upscaling_resize", 2)
        problems = []
        if size is None:
            problems.append({"loc": ["body", "image"], "msg": "a base64 image is required", "type": "value_error"})
        if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 1 <= factor <= 8:
            problems.append({"loc": ["body", "upscaling_resize"], "msg": "ensure this value is within 1..8", "type": "value_error"})
        if problems:
            return Reply.json(422, {"detail": problems})
        w, h = int(size[0] * factor), int(size[1] * factor)
        self.state.event("upscaled", source=list(size), width=w, height=h, upscaler=body.get("upscaler_1"))
        png = png_bytes(w, h, colour_for(w * 7 + h))
        return Reply.json(200, {"html_info": "<p>upscaled</p>", "image": base64.b64encode(png).decode()})

    def run(self, r, body, mode):
        task = body.get("force_task_id") or "task(%d)" % random.randint(0, 1 << 30)
        with r.lock:
            r.pending.add(task)
        slow = self.state.active_mode("slow")
        seconds = float(slow.get("seconds", 1)) if slow else 0.05
        with r.queue_lock:
            with r.lock:
                r.pending.discard(task)
                r.current, r.progress, r.interrupted = task, 0.0, False
            self.state.event("run_started", task=task)
            started = time.time()
            while time.time() - started < seconds:
                with r.lock:
                    if r.interrupted:
                        break
                    r.progress = min(1.0, (time.time() - started) / seconds)
                time.sleep(0.01)
            with r.lock:
                interrupted = r.interrupted
                r.current = None
                r.finished = (r.finished + [task])[-16:]
            self.state.event("run_finished", task=task, interrupted=interrupted)
        if mode == "server_error":
            return Reply.json(500, {"error": "OutOfMemoryError", "detail": "", "body": "",
                                    "errors": "CUDA out of memory. Tried to allocate 2.00 GiB"})
        seed = int(body.get("seed", -1))
        if seed == -1:
            seed = random.randint(0, 2**32 - 1)
        w, h, n = int(body.get("width", 512)), int(body.get("height", 512)), int(body.get("batch_size", 1))
        images = []
        for i in range(n):
            png = png_bytes(w, h, colour_for(seed + i))
            if mode == "truncated_image":
                png = png[: len(png) // 2]
            images.append(base64.b64encode(png).decode())
        info = {"prompt": body.get("prompt", ""), "all_prompts": [body.get("prompt", "")] * n, "seed": seed,
                "all_seeds": [seed + i for i in range(n)], "width": w, "height": h,
                "sampler_name": body.get("sampler_name") or "Euler a", "cfg_scale": body.get("cfg_scale", 7.0),
                "steps": body.get("steps", 20), "batch_size": n, "job_timestamp": "20261201120000"}
        return Reply.json(200, {"images": images, "parameters": body, "info": json.dumps(info)})


if __name__ == "__main__":
    import sys
    if "--require-auth" in sys.argv:
        sys.argv.remove("--require-auth")
        A1111Handler.require_auth = True
    raise SystemExit(serve(A1111Handler, "AUTOMATIC1111 / Forge API emulator", "test-token-a1111"))
