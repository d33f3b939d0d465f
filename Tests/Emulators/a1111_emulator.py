#!/usr/bin/env python3
"""Emulator of the AUTOMATIC1111 / SD-WebUI Forge API (`--api`), for the plugin tests.

Serves what modules/api/api.py and modules/progress.py do (see
shared/reference/providers-2026.md §2):

- POST /sdapi/v1/txt2img: BLOCKS until the images exist (requests are serialised by one
  queue lock, as in the WebUI), then {images: [base64 PNG], parameters, info: "<JSON string>"}.
  Validation errors are FastAPI's 422 {"detail": [{loc, msg, type}]}; failures inside the run
  are 500 {"error", "detail", "body", "errors"}. Unknown fields are ignored (pydantic).
  force_task_id names the run in the task registry.
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
        if req.method == "POST" and req.path in ("/sdapi/v1/txt2img", "/sdapi/v1/img2img"):
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
        if req.path.endswith("img2img"):
            return Reply.json(422, [{"loc": ["body", "init_images"], "msg": "field required", "type": "value_error.missing"}])
        body = req.json()
        if not isinstance(body, dict):
            return Reply.json(422, {"detail": [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]})
        problems = []
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
