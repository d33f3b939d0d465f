#!/usr/bin/env python3
"""Emulator of the two Midjourney wrapper dialects the plugin speaks, for its tests.

Midjourney has no official API (see shared/reference/providers/midjourney.md). This serves:

1. the midjourney-proxy task protocol (novicezk/midjourney-proxy and the forks/gateways that
   copy it): POST /mj/submit/imagine {prompt, state?, notifyHook?, base64Array?} answers
   {code, description, result, properties} with codes 1 (submitted), 22 (queued), 23 (queue
   full), 24 (banned word), 4 (validation); GET /mj/task/{id}/fetch returns the task
   (status NOT_START -> SUBMITTED -> IN_PROGRESS -> SUCCESS | FAILURE, progress "50%",
   imageUrl = grid, imageUrls = the four singles as in newer forks); POST /mj/task/{id}/cancel
   as in trueai-org's fork (which marks the task FAILURE "取消任务"); POST /mj/submit/change
   {taskId, action: UPSCALE|VARIATION|REROLL, index: 1-4} on a SUCCESS task (code 3 unknown
   task, 4 invalid action/index or a task not finished, 21 when the same upscale was already
   made: result = the existing task), answering like imagine; an UPSCALE task's imageUrl is
   the one chosen image, a VARIATION task is a new grid with singles. Auth header is
   mj-api-secret by default (--proxy-auth-header, --proxy-auth-scheme Bearer for gateways).
   Prompt flags are checked the way Midjourney checks them: a task with a malformed flag
   (--ar16:9, --v 9) fails with "Invalid parameter".
2. useapi.net Midjourney v3: POST /v3/midjourney/jobs/imagine {prompt, stream, channel?,
   replyRef?} (stream must be false for JSON; otherwise an SSE stream comes back, as the real
   API does), GET /v3/midjourney/jobs/{jobid} (created -> started -> progress -> completed |
   failed | moderated, response.attachments = grid, response.imageUx = singles),
   DELETE /v3/midjourney/jobs/{jobid}; Authorization: Bearer; errors {"error", "code"}.

Images are served from /cdn/... on this server (standing in for Discord/Midjourney CDNs).

Fault modes (POST /__emulator/scenario {"mode": ..., "on": create|get|cancel|file}):
  unauthorized, insufficient_balance (402), rate_limited (429, Retry-After with "retry_after"),
  server_error (500), queue_full (proxy code 23), moderated_submit (useapi 422), drop,
  malformed, hang, truncated_image / expired_output (on file);
  standing modes: grid_only, never_finishes, moderated, appeal, failure.
"""

import json
import re
import time

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

BANNED = ("bannedword", "gore")
VERSIONS = {"5", "5.1", "5.2", "6", "6.0", "6.1", "7"}
KNOWN_FLAGS = {"v", "version", "ar", "aspect", "no", "seed", "stylize", "s", "chaos", "c", "q", "raw", "tile",
               "weird", "w", "niji", "fast", "relax", "turbo"}
PROXY_AUTH = {"header": "mj-api-secret", "scheme": None}


def flag_problem(prompt):
    """What Midjourney would reject in the prompt's parameters, or None."""
    for bad in re.findall(r"--([a-z]+)(?=[0-9:])", prompt):
        return "Unrecognized parameter(s): `--%s...` (a space is needed after the parameter name)" % bad
    tokens = prompt.split(" --")[1:]
    for token in tokens:
        name, _, value = token.partition(" ")
        value = value.strip()
        if name not in KNOWN_FLAGS:
            return "Unrecognized parameter(s): `--%s`" % name
        if name in ("v", "version") and value not in VERSIONS:
            return "Invalid value for --v: %s" % value
        if name in ("ar", "aspect") and not re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", value):
            return "Invalid aspect ratio: %s" % value
        if name == "seed" and not (value.isdigit() and int(value) <= 4294967295):
            return "Invalid value for --seed: %s" % value
    return None


class MidjourneyHandler(EmulatorHandler):
    standing_modes = ("grid_only", "never_finishes", "moderated", "appeal", "failure")

    def classify(self, req):
        p = req.path
        if p.startswith("/cdn/"):
            return "file"
        if req.method == "POST" and p in ("/mj/submit/imagine", "/mj/submit/change", "/v3/midjourney/jobs/imagine"):
            return "create"
        if (req.method == "POST" and p.startswith("/mj/task/") and p.endswith("/cancel")) or \
                (req.method == "DELETE" and p.startswith("/v3/midjourney/jobs/")):
            return "cancel"
        if p.startswith("/mj/task/") or p.startswith("/v3/midjourney/jobs/"):
            return "get"
        return "other"

    def is_useapi(self, req):
        return req.path.startswith("/v3/")

    def auth_ok(self, req):
        if req.path.startswith("/cdn/"):
            return False
        if self.is_useapi(req):
            return (req.headers.get("Authorization") or "") == "Bearer " + self.token
        value = req.headers.get(PROXY_AUTH["header"]) or ""
        expected = (PROXY_AUTH["scheme"] + " " + self.token) if PROXY_AUTH["scheme"] else self.token
        return value == expected

    def error(self, req, status, text):
        if self.is_useapi(req):
            return Reply.json(status, {"error": text, "code": status})
        return Reply.json(status, {"code": -1, "description": text})

    def answer(self, req):
        fault = req.fault or {}
        mode = fault.get("mode")
        if mode == "unauthorized":
            return self.error(req, 401, "Unauthorized")
        if mode == "insufficient_balance":
            return self.error(req, 402, "Insufficient balance: your subscription has expired or has no credit left")
        if mode == "rate_limited":
            headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
            reply = self.error(req, 429, "Too many requests: all configured channels are busy")
            reply.headers.update(headers)
            return reply
        if mode == "server_error":
            return self.error(req, 500, "Internal server error")

        if req.kind == "file":
            return self.file(req, mode)
        if not self.auth_ok(req):
            return self.error(req, 401, "Unauthorized: missing or invalid key")
        if self.is_useapi(req):
            return self.useapi(req, mode)
        return self.proxy(req, mode)

    # -- jobs shared by both dialects -----------------------------------------------------------

    def new_job(self, prompt, dialect):
        jid = self.state.next_id("1700000000") if dialect == "proxy" else \
            "j%s-u12345-c1234567890123456789-bot:midjourney" % self.state.next_id("1023141520")
        standing = [s for s in self.standing_modes if self.state.active_mode(s)]
        job = {"id": jid, "prompt": prompt, "dialect": dialect, "step": 0, "behaviour": standing[0] if standing else None,
               "cancelled": False, "submit": int(time.time() * 1000)}
        with self.state.lock:
            self.state.jobs[jid] = job
        return job

    def advance(self, job):
        """One read = one step: queued, started, half done, then the outcome."""
        if job["cancelled"]:
            return
        job["step"] += 1
        if job["behaviour"] == "never_finishes":
            job["step"] = min(job["step"], 2)

    def outcome(self, job):
        """None while running; else ("ok", None) or ("failed"/"moderated", reason)."""
        if job["step"] < 3:
            return None
        problem = flag_problem(job["prompt"])
        if problem:
            return ("failed", "Invalid parameter\n" + problem)
        behaviour = job["behaviour"]
        if behaviour == "moderated":
            return ("moderated", "Banned prompt detected: Sorry! Our AI moderator thinks this prompt is probably against our community standards.")
        if behaviour == "appeal":
            return ("moderated", "Action needed to continue: the job was flagged, appeal to continue")
        if behaviour == "failure":
            return ("failed", "Sorry! Could not complete the job!")
        return ("ok", None)

    def urls(self, job):
        grid = "%s/cdn/%s/grid.png" % (self.base, job["id"])
        singles = ["%s/cdn/%s/0_%d.png" % (self.base, job["id"], i) for i in range(4)]
        return grid, ([] if job["behaviour"] == "grid_only" else singles)

    def file(self, req, mode):
        if mode == "expired_output":
            return Reply(404, b"This content is no longer available.", "text/plain")
        parts = req.path.strip("/").split("/")
        with self.state.lock:
            job = self.state.jobs.get(parts[1]) if len(parts) == 3 else None
        if job is None:
            return Reply(404, b"Not Found", "text/plain")
        # Midjourney's sizes scaled down (grid 2048, singles and upscales 1024), kept within the models' limits.
        size = (512, 512) if parts[2] in ("grid.png", "upscaled.png") else (256, 256)
        return Reply(200, png_bytes(size[0], size[1], colour_for(len(parts[2]))), "image/png", truncate=(mode == "truncated_image"))

    # -- midjourney-proxy -------------------------------------------------------------------------

    def change(self, req):
        body = req.json()
        if not isinstance(body, dict):
            return Reply.json(400, {"code": 4, "description": "request body must be JSON"})
        action, index, parent_id = body.get("action"), body.get("index"), body.get("taskId")
        if action not in ("UPSCALE", "VARIATION", "REROLL"):
            return Reply.json(200, {"code": 4, "description": "action must be UPSCALE, VARIATION or REROLL", "result": None})
        if action != "REROLL" and (not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= 4):
            return Reply.json(200, {"code": 4, "description": "index must be 1 to 4", "result": None})
        with self.state.lock:
            parent = self.state.jobs.get(parent_id) if isinstance(parent_id, str) else None
        if parent is None:
            return Reply.json(200, {"code": 3, "description": "task not found", "result": None})
        if self.outcome(parent) != ("ok", None) or parent["cancelled"]:
            return Reply.json(200, {"code": 4, "description": "the task has not finished successfully", "result": None})
        if action == "UPSCALE":
            with self.state.lock:
                done = [j for j in self.state.jobs.values() if j.get("parent") == parent_id and j.get("action") == "UPSCALE"
                        and j.get("index") == index]
            if done:
                return Reply.json(200, {"code": 21, "description": "task already exists", "result": done[0]["id"],
                                        "properties": {"status": "SUCCESS"}})
        job = self.new_job(parent["prompt"], "proxy")
        job.update(action=action, parent=parent_id, index=index)
        self.state.event("change", id=job["id"], parent=parent_id, action=action, index=index)
        return Reply.json(200, {"code": 1, "description": "Submit success", "result": job["id"]})

    def proxy(self, req, mode):
        if req.kind == "create" and req.path == "/mj/submit/change":
            return self.change(req)
        if req.kind == "create":
            body = req.json()
            if not isinstance(body, dict):
                return Reply.json(400, {"code": 4, "description": "request body must be JSON"})
            prompt = body.get("prompt")
            if not isinstance(prompt, str) or not prompt.strip():
                return Reply.json(200, {"code": 4, "description": "prompt must not be empty", "result": None})
            if mode == "queue_full":
                return Reply.json(200, {"code": 23, "description": "queue is full, please try again later", "result": None})
            lowered = prompt.lower()
            for word in BANNED:
                if word in lowered:
                    return Reply.json(200, {"code": 24, "description": "may contain sensitive words",
                                            "properties": {"promptEn": prompt, "bannedWord": word}, "result": None})
            job = self.new_job(prompt, "proxy")
            if mode == "queued":
                return Reply.json(200, {"code": 22, "description": "in queue, there are 2 tasks ahead", "result": job["id"],
                                        "properties": {"numberOfQueues": 2}})
            return Reply.json(200, {"code": 1, "description": "Submit success", "result": job["id"],
                                    "properties": {"discordInstanceId": "1648406635623804928"}})
        parts = req.path.strip("/").split("/")  # mj/task/{id}/fetch | cancel
        with self.state.lock:
            job = self.state.jobs.get(parts[2]) if len(parts) == 4 else None
        if req.kind == "cancel":
            if job is not None:
                self.state.event("cancel", id=job["id"], dialect="proxy")
                job["cancelled"] = True
            return Reply(200, b"", "application/json")
        if job is None:
            return Reply(200, b"", "application/json")  # the proxy answers an unknown id with an empty body
        self.advance(job)
        return Reply.json(200, self.proxy_task(job))

    def proxy_task(self, job):
        task = {"id": job["id"], "action": job.get("action", "IMAGINE"), "prompt": job["prompt"], "promptEn": job["prompt"],
                "description": "/imagine " + job["prompt"], "state": None, "submitTime": job["submit"],
                "startTime": None, "finishTime": None, "imageUrl": None, "progress": "0%", "failReason": None,
                "properties": {"finalPrompt": job["prompt"]}}
        if job["cancelled"]:
            task.update(status="FAILURE", failReason="取消任务")
            return task
        step = job["step"]
        result = self.outcome(job)
        if result is None:
            task["status"] = ["NOT_START", "SUBMITTED", "IN_PROGRESS"][min(step, 2)]
            task["progress"] = ["0%", "0%", "50%"][min(step, 2)]
            if step >= 1:
                task["startTime"] = job["submit"] + 1000
            return task
        kind, reason = result
        task["startTime"] = job["submit"] + 1000
        task["finishTime"] = job["submit"] + 40000
        if kind != "ok":
            task.update(status="FAILURE", failReason=reason)
            return task
        grid, singles = self.urls(job)
        if job.get("action") == "UPSCALE":
            # One image: the chosen quadrant on its own.
            task.update(status="SUCCESS", progress="100%", imageUrl="%s/cdn/%s/upscaled.png" % (self.base, job["id"]))
            return task
        task.update(status="SUCCESS", progress="100%", imageUrl=grid)
        if singles:
            task["imageUrls"] = [{"url": u} for u in singles]
        return task

    # -- useapi.net v3 ----------------------------------------------------------------------------

    def useapi(self, req, mode):
        if req.kind == "create":
            body = req.json()
            if not isinstance(body, dict):
                return self.error(req, 400, "Request body must be JSON")
            prompt = body.get("prompt")
            if not isinstance(prompt, str) or not prompt.strip():
                return self.error(req, 400, "Parameter prompt is required")
            if len(prompt) > 5000:
                return self.error(req, 400, "Parameter prompt is longer than 5000 characters")
            if mode == "moderated_submit":
                return self.error(req, 422, "Moderated: the prompt contains a banned word")
            job = self.new_job(prompt, "useapi")
            job["replyRef"] = body.get("replyRef")
            if body.get("stream", True) is not False:
                event = json.dumps({"event": "midjourney_created", "jobid": job["id"]})
                return Reply(200, ("event: midjourney_created\ndata: %s\n\n" % event).encode(), "text/event-stream")
            return Reply.json(201, self.useapi_job(job))
        jobid = req.path[len("/v3/midjourney/jobs/"):]
        with self.state.lock:
            job = self.state.jobs.get(jobid)
        if job is None:
            return self.error(req, 404, "Job %s not found" % jobid)
        if req.kind == "cancel":
            self.state.event("cancel", id=jobid, dialect="useapi")
            job["cancelled"] = True
            return Reply(204, b"", "application/json")
        self.advance(job)
        return Reply.json(200, self.useapi_job(job))

    def useapi_job(self, job):
        obj = {"jobid": job["id"], "verb": "imagine", "created": "2025-10-23T14:15:20.123Z",
               "updated": "2025-10-23T14:16:45.789Z", "request": {"prompt": job["prompt"], "stream": False,
                                                                  "replyRef": job.get("replyRef")},
               "response": {"content": "**%s** - <@user> (fast)" % job["prompt"]}}
        if job["cancelled"]:
            obj.update(status="failed", error="Job was cancelled (DELETE jobs/jobid)")
            return obj
        result = self.outcome(job)
        if result is None:
            obj["status"] = ["created", "started", "progress"][min(job["step"], 2)]
            obj["response"]["progress_percent"] = [0, 0, 50][min(job["step"], 2)]
            return obj
        kind, reason = result
        if kind == "moderated":
            obj.update(status="moderated", error=reason)
            return obj
        if kind == "failed":
            obj.update(status="failed", error=reason)
            return obj
        grid, singles = self.urls(job)
        obj["status"] = "completed"
        obj["response"].update(progress_percent=100, buttons=["U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4", "🔄"],
                               attachments=[{"url": grid, "proxy_url": grid, "filename": "grid.png", "width": 64, "height": 64}])
        if singles:
            obj["response"]["imageUx"] = [{"id": i + 1, "url": u} for i, u in enumerate(singles)]
        return obj


if __name__ == "__main__":
    import sys
    args = sys.argv[1:]
    for flag, key in (("--proxy-auth-header", "header"), ("--proxy-auth-scheme", "scheme")):
        if flag in args:
            i = args.index(flag)
            PROXY_AUTH[key] = args[i + 1]
            del args[i:i + 2]
    sys.argv[1:] = args
    raise SystemExit(serve(MidjourneyHandler, "Midjourney wrapper API emulator", "test-token-midjourney"))
