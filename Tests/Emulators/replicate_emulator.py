#!/usr/bin/env python3
"""Emulator of Replicate's predictions API (https://api.replicate.com/v1), for the plugin tests.

Serves what the official OpenAPI spec and Replicate's docs describe (see
shared/reference/providers/replicate.md): Bearer auth, POST /v1/predictions {version, input}
for versioned models, POST /v1/models/{owner}/{name}/predictions {input} for official ones,
`Prefer: wait=N` and `Cancel-After` headers, GET /v1/predictions/{id}, POST .../cancel, the
version/model objects with their `openapi_schema`, problem-details error bodies, and output
files on a separate path (standing in for replicate.delivery), GET /v1/predictions (the
account's predictions, newest first, 100 a page, `created_after`/`created_before`, `next`),
the files API (POST /v1/files multipart `content`/`filename`/`type`/`metadata` → a file object
whose `urls.get` is GET /v1/files/{id}), and file inputs: a model's `uri` input (flux-dev's
`image`, Real-ESRGAN's `image`) takes a `data:` URL or the URL of an uploaded file, and the
image must decode (422 otherwise, as a model that cannot open its input fails).

It validates like the real API and is stricter in one place, on purpose: an input field the
model does not have is refused (422), so a plugin that sends `width` to a model that wants
`image_dimensions` fails here instead of being silently ignored.

Fault modes (POST /__emulator/scenario {"mode": ..., "on": <kind>, "times": n}); kinds are
create, get, cancel, file, schema:
  unauthorized, insufficient_balance (402), invalid (422), rate_limited (429, "retry_after",
  "header": false to leave out Retry-After, "http_date": true to send it as an HTTP-date), server_error (500), bad_gateway (502),
  drop, malformed, hang (generic), and standing modes for new predictions:
  nsfw, model_error, never_finishes, wait_expires, data_removed, data_url,
  truncated_image / expired_output (on file downloads); kinds list and upload take the
  generic modes too.
"""

import base64
import datetime
import email.parser
import email.policy
import json
import re
import time

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

SD21_VERSION = "db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf"
RV_VERSION = "a4a8bafd6089e1716b06057c42b19378250d008b80fe87caac5f36b5b8c8c3e5"
RATIOS = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"]

# Input schemas, written from the models' Cog predictors.
SD21 = {
    "prompt": {"type": "string", "required": True},
    "negative_prompt": {"type": "string"},
    "image_dimensions": {"type": "string", "enum": ["512x512", "768x768"]},
    "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4},
    "num_inference_steps": {"type": "integer", "minimum": 1, "maximum": 500},
    "guidance_scale": {"type": "number", "minimum": 1, "maximum": 20},
    "scheduler": {"type": "string", "enum": ["DDIM", "K_EULER", "DPMSolverMultistep", "K_EULER_ANCESTRAL", "PNDM", "KLMS"]},
    "seed": {"type": "integer"},
}
RV = {
    "prompt": {"type": "string", "required": True},
    "negative_prompt": {"type": "string"},
    "steps": {"type": "integer", "minimum": 0, "maximum": 100},
    "guidance": {"type": "number"},
    "scheduler": {"type": "string", "enum": ["EulerA", "MultistepDPM-Solver"]},
    "width": {"type": "integer", "minimum": 0, "maximum": 1920},
    "height": {"type": "integer", "minimum": 0, "maximum": 1920},
    "seed": {"type": "integer"},
}
FLUX_SCHNELL = {
    "prompt": {"type": "string", "required": True},
    "aspect_ratio": {"type": "string", "enum": RATIOS},
    "num_outputs": {"type": "integer", "minimum": 1, "maximum": 4},
    "num_inference_steps": {"type": "integer", "minimum": 1, "maximum": 4},
    "seed": {"type": "integer"},
    "output_format": {"type": "string", "enum": ["webp", "jpg", "png"]},
    "output_quality": {"type": "integer", "minimum": 0, "maximum": 100},
    "disable_safety_checker": {"type": "boolean"},
    "go_fast": {"type": "boolean"},
    "megapixels": {"type": "string", "enum": ["1", "0.25"]},
}
FLUX_DEV = dict(FLUX_SCHNELL, num_inference_steps={"type": "integer", "minimum": 1, "maximum": 50},
                guidance={"type": "number", "minimum": 0, "maximum": 10},
                image={"type": "string", "format": "uri"},
                prompt_strength={"type": "number", "minimum": 0, "maximum": 1})
# nightmareai/real-esrgan (Cog predictor): the image, a scale factor and face enhancement; one URL out.
ESRGAN_VERSION = "42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b"
ESRGAN = {
    "image": {"type": "string", "format": "uri", "required": True},
    "scale": {"type": "number", "minimum": 0, "maximum": 10},
    "face_enhance": {"type": "boolean"},
}
PAGE_SIZE = 100

VERSIONS = {
    SD21_VERSION: {"model": "stability-ai/stable-diffusion", "schema": SD21, "single_output": False},
    RV_VERSION: {"model": "lucataco/realistic-vision-v5", "schema": RV, "single_output": True},
    ESRGAN_VERSION: {"model": "nightmareai/real-esrgan", "schema": ESRGAN, "single_output": True},
}
OFFICIAL = {
    "black-forest-labs/flux-schnell": {"schema": FLUX_SCHNELL, "single_output": False},
    "black-forest-labs/flux-dev": {"schema": FLUX_DEV, "single_output": False},
}
RATIO_SIZES = {"1:1": (1024, 1024), "16:9": (1344, 768), "21:9": (1536, 640), "3:2": (1216, 832),
               "4:5": (896, 1088), "3:4": (896, 1152)}
NSFW_TEXT = "NSFW content detected. Try running it again, or try a different prompt."


def openapi_schema(fields):
    """A Cog-style openapi_schema: enums live in sibling schemas referenced through allOf."""
    props, schemas, required = {}, {}, []
    for name, spec in fields.items():
        if "enum" in spec:
            schemas[name] = {"type": spec["type"], "enum": spec["enum"], "title": name}
            props[name] = {"allOf": [{"$ref": "#/components/schemas/%s" % name}], "x-order": len(props)}
        else:
            p = {"type": spec["type"], "x-order": len(props)}
            for k in ("minimum", "maximum", "format"):
                if k in spec:
                    p[k] = spec[k]
            props[name] = p
        if spec.get("required"):
            required.append(name)
    schemas["Input"] = {"type": "object", "title": "Input", "properties": props, "required": required}
    return {"openapi": "3.0.2", "components": {"schemas": schemas}}


def problem(status, title, detail, **extra):
    body = {"title": title, "detail": detail, "status": status}
    body.update(extra)
    return Reply.json(status, body)


def validate_input(schema, data):
    """Errors in Replicate's "- input.<field>: <reason>" form."""
    if not isinstance(data, dict):
        return ["- input: Invalid type. Expected: object"]
    errors = []
    for name, spec in schema.items():
        if spec.get("required") and name not in data:
            errors.append("- input: %s is required" % name)
    for name, value in data.items():
        spec = schema.get(name)
        if spec is None:
            errors.append("- input: Additional property %s is not allowed" % name)
            continue
        kind = spec["type"]
        ok = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
              "integer": isinstance(value, int) and not isinstance(value, bool),
              "number": isinstance(value, (int, float)) and not isinstance(value, bool)}[kind]
        if not ok:
            errors.append("- input.%s: Invalid type. Expected: %s" % (name, kind))
            continue
        if "enum" in spec and value not in spec["enum"]:
            errors.append("- input.%s: %s must be one of the following: %s" % (name, name, ", ".join('"%s"' % e for e in spec["enum"])))
        if "minimum" in spec and value < spec["minimum"]:
            errors.append("- input.%s: Must be greater than or equal to %s" % (name, spec["minimum"]))
        if "maximum" in spec and value > spec["maximum"]:
            errors.append("- input.%s: Must be less than or equal to %s" % (name, spec["maximum"]))
        if spec.get("format") == "uri" and not re.match(r"^(https?://|data:)", value):
            errors.append("- input.%s: Does not match format 'uri'" % name)
    return errors


def png_size(data):
    if not isinstance(data, bytes) or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


PREFER = re.compile(r"^wait(=([1-9]|[1-9][0-9]|60))?$")
CANCEL_AFTER = re.compile(r"^(\d+|(\d+h)?(\d+m)?(\d+s)?)$")


def duration_seconds(text):
    if text.isdigit():
        return int(text)
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", text):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


class ReplicateHandler(EmulatorHandler):
    standing_modes = ("nsfw", "model_error", "never_finishes", "wait_expires", "data_removed", "data_url")

    def classify(self, req):
        p = req.path
        if p.startswith("/files/"):
            return "file"
        if p == "/v1/files" and req.method == "POST":
            return "upload"
        if p.startswith("/v1/files/"):
            return "file_object"
        if p == "/v1/predictions" and req.method == "GET":
            return "list"
        if req.method == "POST" and p.endswith("/cancel"):
            return "cancel"
        if req.method == "POST" and (p == "/v1/predictions" or p.endswith("/predictions")):
            return "create"
        if p.startswith("/v1/predictions/"):
            return "get"
        if p.startswith("/v1/models/"):
            return "schema"
        return "other"

    def auth_ok(self, req):
        value = req.headers.get("Authorization") or ""
        return value in ("Bearer " + self.token, "Token " + self.token)

    # -- routing --------------------------------------------------------------------------------

    def answer(self, req):
        fault = req.fault or {}
        mode = fault.get("mode")
        if mode == "unauthorized":
            return problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        if mode == "insufficient_balance":
            return problem(402, "Billing required", "You need to set up billing to run this model. Go to https://replicate.com/account/billing and add a payment method.")
        if mode == "invalid":
            return problem(422, "Invalid version or not permitted", "The specified version does not exist (or perhaps you don't have permission to use it?)")
        if mode == "rate_limited":
            seconds = fault.get("retry_after", 1)
            headers = {"Retry-After": str(seconds)} if fault.get("header", True) else {}
            if fault.get("http_date"):
                headers = {"Retry-After": email.utils.formatdate(time.time() + seconds, usegmt=True)}
            return Reply.json(429, {"detail": "Request was throttled. Expected available in %s second." % seconds,
                                    "status": 429, "retry_after": seconds}, headers)
        if mode == "server_error":
            return problem(500, "Internal Server Error", "Something went wrong on our end.")
        if mode == "bad_gateway":
            return Reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")

        if req.kind == "file":
            return self.file(req, mode)
        if not req.headers.get("Authorization"):
            return problem(401, "Unauthenticated", "You did not pass an authentication token")
        if not self.auth_ok(req):
            return problem(401, "Unauthenticated", "You did not pass a valid authentication token")

        parts = req.path.strip("/").split("/")
        if req.kind == "upload":
            return self.upload(req)
        if req.kind == "file_object":
            return self.file_object(parts)
        if req.kind == "list":
            return self.list(req)
        if req.kind == "create":
            return self.create(req, parts)
        if req.kind == "get" and len(parts) == 3:
            return self.get(parts[2])
        if req.kind == "cancel" and len(parts) == 4:
            return self.cancel(parts[2])
        if req.kind == "schema":
            return self.schema(parts)
        return problem(404, "Not found", "The requested resource could not be found.")

    def schema(self, parts):
        # /v1/models/{owner}/{name}[/versions/{id}]
        if len(parts) == 6 and parts[4] == "versions":
            entry = VERSIONS.get(parts[5])
            if entry is None or entry["model"] != parts[2] + "/" + parts[3]:
                return problem(404, "Not found", "Version not found")
            return Reply.json(200, self.version_object(parts[5], entry["schema"]))
        if len(parts) == 4:
            slug = parts[2] + "/" + parts[3]
            if slug in OFFICIAL:
                latest = self.version_object("hidden", OFFICIAL[slug]["schema"])
            else:
                found = [(v, e) for v, e in VERSIONS.items() if e["model"] == slug]
                if not found:
                    return problem(404, "Not found", "Model not found")
                latest = self.version_object(found[0][0], found[0][1]["schema"])
            return Reply.json(200, {"owner": parts[2], "name": parts[3], "latest_version": latest})
        return problem(404, "Not found", "The requested resource could not be found.")

    @staticmethod
    def version_object(version_id, fields):
        return {"id": version_id, "created_at": "2023-01-01T00:00:00Z", "cog_version": "0.8.6",
                "openapi_schema": openapi_schema(fields)}

    def create(self, req, parts):
        body = req.json()
        if not isinstance(body, dict):
            return problem(400, "Bad request", "The request body is not valid JSON")
        prefer = req.headers.get("Prefer")
        if prefer is not None and not PREFER.match(prefer):
            return problem(422, "Invalid header", "Prefer must match ^wait(=([1-9]|[1-9][0-9]|60))?$")
        cancel_after = req.headers.get("Cancel-After")
        if cancel_after is not None and (not CANCEL_AFTER.match(cancel_after) or duration_seconds(cancel_after) < 5):
            return problem(422, "Invalid header", "Cancel-After must be a duration of at least 5s, such as 30s or 1h30m")
        allowed = {"input", "webhook", "webhook_events_filter", "stream"}
        if req.path == "/v1/predictions":
            allowed.add("version")
            version = body.get("version")
            if not isinstance(version, str):
                return problem(422, "Input validation failed", "- (root): version is required")
            version_id = version.split(":")[-1]
            entry = VERSIONS.get(version_id)
            if entry is None:
                return problem(422, "Invalid version or not permitted", "The specified version does not exist (or perhaps you don't have permission to use it?)")
            model, fields, single = entry["model"], entry["schema"], entry["single_output"]
        else:
            if len(parts) != 5:
                return problem(404, "Not found", "The requested resource could not be found.")
            model = parts[2] + "/" + parts[3]
            entry = OFFICIAL.get(model)
            if entry is None:
                return problem(404, "Not found", "Model %s not found" % model)
            version_id, fields, single = "hidden", entry["schema"], entry["single_output"]
        extra = sorted(set(body) - allowed)
        if extra:
            return problem(422, "Input validation failed", "- (root): Additional property %s is not allowed" % extra[0])
        if "input" not in body:
            return problem(422, "Input validation failed", "- (root): input is required")
        errors = validate_input(fields, body["input"])
        source = None
        for name, spec in fields.items():
            if not errors and spec.get("format") == "uri" and name in body["input"]:
                source, problem_text = self.open_input(body["input"][name])
                if problem_text:
                    errors.append("- input.%s: %s" % (name, problem_text))
        if errors:
            return problem(422, "Input validation failed", "\n".join(errors))

        pid = self.state.next_id("p")
        job = {"id": pid, "model": model, "version": version_id, "input": body["input"], "status": "starting",
               "single": single, "created": time.time(), "error": None, "outputs": None, "data_removed": False,
               "cancel_after": cancel_after, "source": source}
        if source is not None:
            self.state.event("image_input", id=pid, model=model, source=list(source[0]), via=source[1],
                             strength=body["input"].get("prompt_strength"), scale=body["input"].get("scale"))
        standing = [s for s in self.standing_modes if self.state.active_mode(s)]
        job["behaviour"] = standing[0] if standing else None
        with self.state.lock:
            self.state.jobs[pid] = job
        if prefer is not None and job["behaviour"] not in ("never_finishes", "wait_expires"):
            self.complete(job)  # sync mode: answer once the files exist
        return Reply.json(201, self.prediction(job))

    def complete(self, job):
        behaviour = job["behaviour"]
        if behaviour == "nsfw":
            job["status"], job["error"] = "failed", NSFW_TEXT
            return
        if behaviour == "model_error":
            job["status"], job["error"] = "failed", "CUDA out of memory. Tried to allocate 2.00 GiB"
            return
        data = job["input"]
        count = 1 if job["single"] else int(data.get("num_outputs", 1))
        if behaviour == "data_removed":
            job["status"], job["outputs"], job["data_removed"] = "succeeded", None, True
            return
        if behaviour == "data_url":
            w, h = self.size(data, job)
            encoded = base64.b64encode(png_bytes(w, h, colour_for(data.get("seed")))).decode()
            urls = ["data:image/png;base64," + encoded for _ in range(count)]
        else:
            urls = ["%s/files/%s/out-%d.png" % (self.base, job["id"], i) for i in range(count)]
        job["outputs"] = urls[0] if job["single"] else urls
        job["status"] = "succeeded"

    def open_input(self, value):
        """((width, height), "data_url" | "file") of an input image, or a problem text."""
        if value.startswith("data:"):
            head, _, payload = value.partition(",")
            if not head.endswith(";base64"):
                return None, "data URL is not base64"
            try:
                data = base64.b64decode(payload, validate=True)
            except ValueError:
                return None, "data URL is not valid base64"
            via = "data_url"
        else:
            prefix = self.base + "/v1/files/"
            fid = value[len(prefix):] if value.startswith(prefix) else None
            with self.state.lock:
                f = self.state.files.get(fid) if fid else None
            if f is None:
                return None, "could not download %s" % value
            data, via = f["content"], "file"
        size = png_size(data)
        if size is None:
            return None, "cannot identify image file"
        return (size, via), None

    def size(self, data, job=None):
        if job is not None and job.get("source") is not None:
            w, h = job["source"][0]
            factor = data.get("scale", 4) if job["model"] == "nightmareai/real-esrgan" else 1
            return int(w * factor), int(h * factor)
        return self.size_of(data)

    @staticmethod
    def size_of(data):
        if "width" in data and "height" in data:
            return max(8, data["width"] or 512), max(8, data["height"] or 728)
        if "image_dimensions" in data:
            w, h = data["image_dimensions"].split("x")
            return int(w), int(h)
        return RATIO_SIZES.get(data.get("aspect_ratio", "1:1"), (1024, 1024))

    def prediction(self, job):
        terminal = job["status"] in ("succeeded", "failed", "canceled", "aborted")
        seed = job["input"].get("seed", 4242)
        obj = {
            # Once Replicate deletes a prediction's data (an hour after an API run), its input goes too.
            "id": job["id"], "model": job["model"], "version": job["version"],
            "input": None if job["data_removed"] else job["input"],
            "output": job["outputs"], "error": job["error"], "status": job["status"], "data_removed": job["data_removed"],
            "created_at": iso(job["created"]), "source": "api",
            "logs": "Using seed: %d\n" % seed if job["status"] != "starting" else "",
            "urls": {"get": "%s/v1/predictions/%s" % (self.base, job["id"]),
                     "cancel": "%s/v1/predictions/%s/cancel" % (self.base, job["id"]),
                     "web": "https://replicate.com/p/%s" % job["id"]},
        }
        if terminal:
            obj["completed_at"] = "2025-01-01T00:00:03.000Z"
            obj["metrics"] = {"predict_time": 2.5, "total_time": 3.1}
        return obj

    def list(self, req):
        after = parse_time((req.query.get("created_after") or [""])[0]) if req.query.get("created_after") else None
        before = parse_time((req.query.get("created_before") or [""])[0]) if req.query.get("created_before") else None
        if (req.query.get("created_after") and after is None) or (req.query.get("created_before") and before is None):
            return problem(400, "Bad request", "created_after and created_before must be ISO 8601 date-times")
        with self.state.lock:
            jobs = sorted(self.state.jobs.values(), key=lambda j: (j["created"], j["id"]), reverse=True)
        jobs = [j for j in jobs if (after is None or j["created"] >= after) and (before is None or j["created"] < before)]
        start = int((req.query.get("cursor") or ["0"])[0] or 0)
        page = jobs[start:start + PAGE_SIZE]
        nxt = None
        if start + PAGE_SIZE < len(jobs):
            q = "cursor=%d" % (start + PAGE_SIZE)
            if after is not None:
                q += "&created_after=" + req.query["created_after"][0]
            nxt = "%s/v1/predictions?%s" % (self.base, q)
        return Reply.json(200, {"next": nxt, "previous": None, "results": [self.prediction(j) for j in page]})

    def upload(self, req):
        ctype = req.headers.get("Content-Type") or ""
        if not ctype.startswith("multipart/form-data"):
            return problem(400, "Bad request", "The request must be multipart/form-data")
        raw = b"Content-Type: " + ctype.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + req.body
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        fields = {}
        for part in msg.iter_parts() if msg.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            fields[name] = payload if part.get_filename() is not None else payload.decode("utf-8", "replace")
        if not isinstance(fields.get("content"), bytes):
            return problem(422, "Input validation failed", "- content: content is required")
        try:
            metadata = json.loads(fields.get("metadata") or "{}")
        except ValueError:
            return problem(422, "Input validation failed", "- metadata: must be valid JSON")
        fid = self.state.next_id("f")
        now = time.time()
        obj = {"id": fid, "name": fields.get("filename") or "file", "content_type": fields.get("type") or "application/octet-stream",
               "size": len(fields["content"]), "checksums": {}, "metadata": metadata,
               "created_at": iso(now), "expires_at": iso(now + 86400),
               "urls": {"get": "%s/v1/files/%s" % (self.base, fid)}}
        with self.state.lock:
            self.state.files[fid] = {"object": obj, "content": fields["content"]}
        self.state.event("uploaded", id=fid, size=len(fields["content"]), metadata=metadata)
        return Reply.json(201, obj)

    def file_object(self, parts):
        with self.state.lock:
            f = self.state.files.get(parts[2]) if len(parts) >= 3 else None
        if f is None:
            return problem(404, "Not found", "File not found")
        if len(parts) == 4 and parts[3] == "download":
            return Reply(200, f["content"], f["object"]["content_type"])
        return Reply.json(200, f["object"])

    def get(self, pid):
        with self.state.lock:
            job = self.state.jobs.get(pid)
        if job is None:
            return problem(404, "Not found", "Prediction not found")
        if job["status"] == "starting":
            job["status"] = "processing"
        elif job["status"] == "processing" and job["behaviour"] not in ("never_finishes",):
            self.complete(job)
        return Reply.json(200, self.prediction(job))

    def cancel(self, pid):
        with self.state.lock:
            job = self.state.jobs.get(pid)
        if job is None:
            return problem(404, "Not found", "Prediction not found")
        self.state.event("cancel", id=pid, status_before=job["status"])
        if job["status"] in ("starting", "processing"):
            job["status"] = "canceled"
        return Reply.json(200, self.prediction(job))

    def file(self, req, mode):
        parts = req.path.strip("/").split("/")  # files/{id}/out-{i}.png
        if mode == "expired_output":
            return Reply(404, b"Not Found", "text/plain")
        with self.state.lock:
            job = self.state.jobs.get(parts[1]) if len(parts) == 3 else None
        if job is None:
            return Reply(404, b"Not Found", "text/plain")
        w, h = self.size(job["input"], job)
        return Reply(200, png_bytes(w, h, colour_for(job["input"].get("seed"))), "image/png",
                     truncate=(mode == "truncated_image"))


if __name__ == "__main__":
    raise SystemExit(serve(ReplicateHandler, "Replicate API emulator", "test-token-replicate"))
