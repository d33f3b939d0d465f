#!/usr/bin/env python3
"""Emulator of a local ComfyUI server's HTTP API, for the plugin tests.

Serves what ComfyUI's server.py and comfy_execution/jobs.py do (see
shared/reference/providers-2026.md §2), every route also under /api:

- POST /prompt {prompt: <API-format graph>, prompt_id?, client_id?, extra_data?}: validates
  the graph like execution.validate_prompt (known class_type, required inputs, links to
  existing nodes, enum values such as ckpt_name/lora_name/sampler_name, at least one output
  node) -> {prompt_id, number, node_errors}; 400 {error{type,message,details,extra_info},
  node_errors{id: {errors[...], dependent_outputs, class_type}}}. A client prompt_id must be a
  canonical lowercase UUID (400 invalid_prompt_id). A repeated prompt_id is NOT deduplicated:
  it is queued and run again, as the real server does (each accepted POST is a
  "prompt_queued" event, so tests can count runs).
- GET /api/jobs/{id} -> {id, status pending|in_progress|completed|failed|cancelled,
  create_time, execution_start_time, execution_end_time, execution_error, outputs}; 404
  {"error": "Job not found"}.
- GET /history/{id} -> {} or {id: {prompt, outputs, status{status_str, completed, messages}}};
  GET /queue -> {queue_running, queue_pending} as [number, id, prompt, extra_data, outputs].
- GET /view?filename=&subfolder=&type= -> the PNG; 404 when unknown.
- POST /upload/image multipart (image: the file, type input|temp|output, subfolder,
  overwrite) -> {name, subfolder, type}; a taken name without overwrite gets " (1)" added, as
  the real server does. A LoadImage node's `image` ("subfolder/name") must name an uploaded
  input file that decodes as a PNG, else validation fails ("Invalid image file: ...").
  Uploaded inputs survive a restart (they are files on disk).
- Upscaling: UpscaleModelLoader (model_name one of UPSCALE_MODELS, else the usual
  value_not_in_list node error), ImageUpscaleWithModel (x the model's factor), ImageScaleBy
  (scale_by 0.01..8); the saved image has the size those nodes make ("upscale" event).
- POST /interrupt {prompt_id} (only stops that prompt if it is the running one), POST /queue
  {delete: [ids]} | {clear: true}.

Jobs advance one step each time they are read (/api/jobs/{id} or /history/{id}; GET /queue
advances them all, which is how a client of an older server follows them):
pending -> running -> completed; executions last 2.5 s by their timestamps.

No auth by default (ComfyUI has none); --require-auth wants "Authorization: Bearer <token>",
as a reverse proxy or login node in front of ComfyUI would.

Fault modes (POST /__emulator/scenario {"mode": ..., "on": kind, "times": n}); kinds: create,
job, history, queue, view, cancel:
  restart (wipe queue and history before answering: ComfyUI restarted), server_error (500),
  truncated_image (on view), drop, malformed, hang;
  standing modes: execution_error (jobs fail in KSampler), never_finishes (jobs stay running),
  legacy (no /api/jobs route: an older server).
"""

import email.parser
import email.policy
import json
import re
import threading
import time
from urllib.parse import unquote

from emulator_common import EmulatorHandler, Reply, png_bytes, colour_for, serve

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CHECKPOINTS = ["v1-5-pruned-emaonly.safetensors", "sdxl/juggernautXL.safetensors"]
LORAS = ["silk-lingerie.safetensors"]
SAMPLERS = ["euler", "euler_ancestral", "dpmpp_2m", "dpmpp_2m_sde"]
SCHEDULERS = ["normal", "karras", "simple"]
# models/upscale_models -> the factor the network enlarges by (as spandrel reports it).
UPSCALE_MODELS = {"RealESRGAN_x4plus.pth": 4, "RealESRGAN_x2plus.pth": 2, "4x-UltraSharp.pth": 4}
UPSCALE_METHODS = ["nearest-exact", "bilinear", "area", "bicubic", "lanczos"]

# class_type -> (required inputs: name -> kind, outputs, is output node). Kinds: "link", "int",
# "float", "str", or a list of allowed values.
NODES = {
    "CheckpointLoaderSimple": ({"ckpt_name": CHECKPOINTS}, 3, False),
    "LoraLoader": ({"model": "link", "clip": "link", "lora_name": LORAS, "strength_model": "float",
                    "strength_clip": "float"}, 2, False),
    "CLIPTextEncode": ({"text": "str", "clip": "link"}, 1, False),
    "EmptyLatentImage": ({"width": "int", "height": "int", "batch_size": "int"}, 1, False),
    "KSampler": ({"model": "link", "seed": "int", "steps": "int", "cfg": "float", "sampler_name": SAMPLERS,
                  "scheduler": SCHEDULERS, "positive": "link", "negative": "link", "latent_image": "link",
                  "denoise": "float"}, 1, False),
    "VAEDecode": ({"samples": "link", "vae": "link"}, 1, False),
    "VAEEncode": ({"pixels": "link", "vae": "link"}, 1, False),
    "LoadImage": ({"image": "input_file"}, 2, False),
    "UpscaleModelLoader": ({"model_name": sorted(UPSCALE_MODELS)}, 1, False),
    "ImageUpscaleWithModel": ({"upscale_model": "link", "image": "link"}, 1, False),
    "ImageScaleBy": ({"image": "link", "upscale_method": UPSCALE_METHODS, "scale_by": "float"}, 1, False),
    "SaveImage": ({"images": "link", "filename_prefix": "str"}, 0, True),
    "PreviewImage": ({"images": "link"}, 0, True),
}
RANGES = {"width": (16, 16384), "height": (16, 16384), "batch_size": (1, 4096), "steps": (1, 10000),
          "seed": (0, 0xFFFFFFFFFFFFFFFF), "cfg": (0.0, 100.0), "scale_by": (0.01, 8.0)}


def node_error(kind, message, details):
    return {"type": kind, "message": message, "details": details, "extra_info": {}}


def validate(graph, input_files=()):
    """(node_errors, outputs) like execution.validate_prompt; `input_files` are the uploaded inputs."""
    errors = {}
    outputs = []
    for nid, node in graph.items():
        if not isinstance(node, dict) or "class_type" not in node:
            return {"__graph__": "node %s has no class_type" % nid}, []
        ct = node["class_type"]
        if ct not in NODES:
            return {"__graph__": "Cannot execute because node %s does not exist." % ct}, []
        required, _, is_output = NODES[ct]
        if is_output:
            outputs.append(nid)
        inputs = node.get("inputs") or {}
        problems = []
        for name, kind in required.items():
            if name not in inputs:
                problems.append(node_error("required_input_missing", "Required input is missing", name))
                continue
            v = inputs[name]
            if kind == "link" or (isinstance(v, list) and kind != "link"):
                if not (isinstance(v, list) and len(v) == 2 and str(v[0]) in graph and isinstance(v[1], int)
                        and v[1] < NODES.get(graph[str(v[0])].get("class_type"), ({}, 0, False))[1]):
                    problems.append(node_error("bad_linked_input", "Bad linked input, must be a length-2 list of [string, int]", name))
                continue
            if kind == "input_file":
                if v not in input_files:
                    problems.append(node_error("custom_validation_failed", "Custom validation failed for node",
                                               "%s - Invalid image file: %s" % (name, v)))
                continue
            if isinstance(kind, list):
                if v not in kind:
                    problems.append(node_error("value_not_in_list", "Value not in list",
                                               "%s: '%s' not in %s" % (name, v, kind)))
                continue
            ok = {"int": isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, float) and v == int(v)),
                  "float": isinstance(v, (int, float)) and not isinstance(v, bool),
                  "str": isinstance(v, str)}[kind]
            if not ok:
                problems.append(node_error("invalid_input_type", "Failed to convert an input value to a %s value" % kind.upper(),
                                           "%s, %s" % (name, v)))
                continue
            if name in RANGES:
                lo, hi = RANGES[name]
                if v < lo:
                    problems.append(node_error("value_smaller_than_min", "Value %s smaller than min of %s" % (v, lo), name))
                elif v > hi:
                    problems.append(node_error("value_bigger_than_max", "Value %s bigger than max of %s" % (v, hi), name))
        if problems:
            errors[nid] = {"errors": problems, "dependent_outputs": [], "class_type": ct}
    return errors, outputs


class Server:
    """One ComfyUI process: what a restart loses (queue, history) and what it keeps (files)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []
        self.history = {}
        self.files = {}
        self.number = 0
        # The input folder: "subfolder/name" -> (width, height). A restart keeps it.
        self.inputs = {}


class ComfyHandler(EmulatorHandler):
    standing_modes = ("execution_error", "never_finishes", "legacy")
    recorded_headers = ("content-type", "accept", "user-agent")
    require_auth = False

    def classify(self, req):
        path = req.path[4:] if req.path.startswith("/api/") else req.path
        if req.method == "POST" and path == "/prompt":
            return "create"
        if req.method == "POST" and path == "/upload/image":
            return "upload"
        if path.startswith("/jobs/"):
            return "job"
        if path.startswith("/history/"):
            return "history"
        if path == "/queue" and req.method == "GET":
            return "queue"
        if path == "/view":
            return "view"
        if req.method == "POST" and path in ("/queue", "/interrupt"):
            return "cancel"
        return "other"

    def auth_ok(self, req):
        return not self.require_auth or (req.headers.get("Authorization") or "") == "Bearer " + self.token

    # -- state ----------------------------------------------------------------------------------

    def queue(self):
        """The server's queue, history and files; a reset (which empties ``state.jobs``) starts a new one."""
        with self.state.lock:
            server = self.state.jobs.get("server")
            if server is None:
                server = self.state.jobs["server"] = Server()
            return server

    def restart(self):
        st = self.queue()
        st.entries, st.history = [], {}
        self.state.event("restarted")

    def find(self, prompt_id):
        st = self.queue()
        for e in st.entries:
            if e["id"] == prompt_id:
                return e, None
        return None, st.history.get(prompt_id)

    def advance(self, entry):
        st = self.queue()
        if entry["status"] == "pending":
            entry["status"] = "running"
            entry["start"] = int(time.time() * 1000)
            return
        if self.state.active_mode("never_finishes"):
            return
        self.complete(entry, "error" if self.state.active_mode("execution_error") else "success")

    def complete(self, entry, outcome):
        st = self.queue()
        start = entry.get("start") or int(time.time() * 1000)
        end = start + 2500
        messages = [["execution_start", {"prompt_id": entry["id"], "timestamp": start}]]
        outputs = {}
        if outcome == "success":
            graph = entry["prompt"]
            for nid in entry["outputs_to_execute"]:
                node = graph[nid]
                latent = self.latent(graph)
                size = self.image_size(graph, node["inputs"].get("images"))
                if size is not None:
                    latent["w"], latent["h"] = size
                images = []
                for i in range(latent["batch"]):
                    st.number += 1
                    name = "%s_%05d_.png" % (node["inputs"].get("filename_prefix", "ComfyUI"), st.number)
                    kind = "output" if node["class_type"] == "SaveImage" else "temp"
                    st.files[(name, "", kind)] = (latent["w"], latent["h"], latent["seed"] + i)
                    images.append({"filename": name, "subfolder": "", "type": kind})
                outputs[nid] = {"images": images}
            messages.append(["execution_success", {"prompt_id": entry["id"], "timestamp": end}])
        elif outcome == "error":
            messages.append(["execution_error", {
                "prompt_id": entry["id"], "node_id": "3", "node_type": "KSampler", "executed": ["4", "5", "6", "7"],
                "exception_message": "Allocation on device 0 would exceed allowed memory. (out of memory)\n",
                "exception_type": "torch.OutOfMemoryError", "traceback": ["  File \"execution.py\", line 1\n"],
                "current_inputs": {}, "current_outputs": {}, "timestamp": end}])
        else:
            messages.append(["execution_interrupted", {"prompt_id": entry["id"], "node_id": "3", "node_type": "KSampler",
                                                       "executed": [], "timestamp": end}])
        st.entries = [e for e in st.entries if e is not entry]
        st.history[entry["id"]] = {
            "prompt": [entry["number"], entry["id"], entry["prompt"], entry["extra_data"], entry["outputs_to_execute"]],
            "outputs": outputs,
            "status": {"status_str": "success" if outcome == "success" else "error", "completed": outcome == "success",
                       "messages": messages},
            "meta": {},
        }

    def latent(self, graph):
        out = {"w": 512, "h": 512, "batch": 1, "seed": 0}
        for node in graph.values():
            if node.get("class_type") == "LoadImage":
                out["w"], out["h"] = self.queue().inputs[node["inputs"]["image"]]
            if node.get("class_type") == "EmptyLatentImage":
                i = node["inputs"]
                out.update(w=int(i["width"]), h=int(i["height"]), batch=int(i["batch_size"]))
            if node.get("class_type") == "KSampler":
                out["seed"] = int(node["inputs"]["seed"])
        return out

    def image_size(self, graph, link):
        """(w, h) of an IMAGE made by the upscale nodes (ImageUpscaleWithModel: x the model's
        factor; ImageScaleBy: round(x scale_by), as comfy_extras/nodes_upscale_model.py and
        nodes.py do), or None for an image that comes out of a sampler (see latent())."""
        if not isinstance(link, list):
            return None
        node = graph[str(link[0])]
        ct, i = node["class_type"], node["inputs"]
        if ct == "LoadImage":
            return self.queue().inputs[i["image"]]
        if ct == "ImageUpscaleWithModel":
            inner = self.image_size(graph, i["image"])
            factor = UPSCALE_MODELS[graph[str(i["upscale_model"][0])]["inputs"]["model_name"]]
            return None if inner is None else (inner[0] * factor, inner[1] * factor)
        if ct == "ImageScaleBy":
            inner = self.image_size(graph, i["image"])
            return None if inner is None else (round(inner[0] * i["scale_by"]), round(inner[1] * i["scale_by"]))
        return None

    # -- answers --------------------------------------------------------------------------------

    def answer(self, req):
        mode = (req.fault or {}).get("mode")
        with self.queue().lock:
            return self.locked_answer(req, mode)

    def locked_answer(self, req, mode):
        if mode == "restart":
            self.restart()
        if mode == "server_error":
            return Reply(500, b"500 Internal Server Error\n\nServer got itself in trouble", "text/plain")
        if not self.auth_ok(req):
            return Reply(401, b"401: Unauthorized", "text/plain")
        path = req.path[4:] if req.path.startswith("/api/") else req.path
        if req.kind == "create":
            return self.post_prompt(req)
        if req.kind == "upload":
            return self.upload(req)
        if req.kind == "job":
            if self.state.active_mode("legacy"):
                return Reply(404, b"404: Not Found", "text/plain")
            prompt_id = path[len("/jobs/"):]
            return self.get_job(prompt_id)
        if req.kind == "history":
            prompt_id = path[len("/history/"):]
            entry, item = self.find(prompt_id)
            if entry is not None:
                self.advance(entry)
                entry, item = self.find(prompt_id)
            return Reply.json(200, {prompt_id: item} if item is not None else {})
        if req.kind == "queue":
            st = self.queue()
            for e in list(st.entries):
                self.advance(e)
            row = lambda e: [e["number"], e["id"], e["prompt"], e["extra_data"], e["outputs_to_execute"]]
            return Reply.json(200, {"queue_running": [row(e) for e in st.entries if e["status"] == "running"],
                                    "queue_pending": [row(e) for e in st.entries if e["status"] == "pending"]})
        if req.kind == "view":
            return self.view(req, mode)
        if req.kind == "cancel":
            return self.cancel(req, path)
        return Reply(404, b"404: Not Found", "text/plain")

    def post_prompt(self, req):
        st = self.queue()
        body = req.json()
        if not isinstance(body, dict):
            return Reply(500, b"500 Internal Server Error", "text/plain")  # aiohttp's json() raised
        if "prompt" not in body:
            return Reply.json(400, {"error": node_error("no_prompt", "No prompt provided", "No prompt provided"), "node_errors": {}})
        prompt_id = body.get("prompt_id")
        if prompt_id is None:
            prompt_id = "%08x-0000-4000-8000-%012x" % (int(time.time()) & 0xFFFFFFFF, len(st.history) + len(st.entries))
        elif not isinstance(prompt_id, str) or not UUID_RE.match(prompt_id):
            return Reply.json(400, {"error": node_error("invalid_prompt_id", "prompt_id must be a valid UUID",
                                                        "prompt_id must be a UUID string in canonical lowercase hyphenated form; "
                                                        "omit it to let the server generate one"), "node_errors": {}})
        graph = body["prompt"]
        if not isinstance(graph, dict):
            return Reply.json(400, {"error": node_error("invalid_prompt", "Invalid prompt", "prompt must be an object"), "node_errors": {}})
        errors, outputs = validate(graph, {k for k, v in st.inputs.items() if v is not None})
        if "__graph__" in errors:
            return Reply.json(400, {"error": node_error("invalid_prompt", "Cannot execute because a node is missing the class_type property.",
                                                        errors["__graph__"]), "node_errors": {}})
        if not outputs:
            return Reply.json(400, {"error": node_error("prompt_no_outputs", "Prompt has no outputs", ""), "node_errors": {}})
        if errors:
            for e in errors.values():
                e["dependent_outputs"] = outputs
            return Reply.json(400, {"error": node_error("prompt_outputs_failed_validation", "Prompt outputs failed validation", ""),
                                    "node_errors": errors})
        st.number += 1
        extra = dict(body.get("extra_data") or {})
        if "client_id" in body:
            extra["client_id"] = body["client_id"]
        extra["create_time"] = int(time.time() * 1000)
        st.entries.append({"id": prompt_id, "number": st.number, "prompt": graph, "extra_data": extra,
                           "outputs_to_execute": sorted(outputs, key=lambda x: int(x) if x.isdigit() else 0),
                           "status": "pending"})
        self.state.event("prompt_queued", prompt_id=prompt_id)
        for node in graph.values():
            if node.get("class_type") == "UpscaleModelLoader":
                scale_by = [n["inputs"].get("scale_by") for n in graph.values() if n.get("class_type") == "ImageScaleBy"]
                self.state.event("upscale", prompt_id=prompt_id, model=node["inputs"]["model_name"],
                                 scale_by=scale_by[0] if scale_by else None)
            if node.get("class_type") == "LoadImage":
                denoise = [n["inputs"].get("denoise") for n in graph.values() if n.get("class_type") == "KSampler"]
                self.state.event("image_input", prompt_id=prompt_id, image=node["inputs"]["image"],
                                 source=list(st.inputs[node["inputs"]["image"]]), denoise=denoise[0] if denoise else None)
        return Reply.json(200, {"prompt_id": prompt_id, "number": st.number, "node_errors": {}})

    def get_job(self, prompt_id):
        entry, item = self.find(prompt_id)
        if entry is not None:
            self.advance(entry)
            entry, item = self.find(prompt_id)
        if entry is not None:
            return Reply.json(200, {"id": prompt_id, "status": "in_progress" if entry["status"] == "running" else "pending",
                                    "priority": entry["number"], "create_time": entry["extra_data"]["create_time"],
                                    "outputs_count": 0})
        if item is None:
            return Reply.json(404, {"error": "Job not found"})
        status_str = item["status"]["status_str"]
        start = end = error = None
        interrupted = False
        for name, data in item["status"]["messages"]:
            if name == "execution_start":
                start = data["timestamp"]
            elif name in ("execution_success", "execution_error", "execution_interrupted"):
                end = data["timestamp"]
                if name == "execution_error":
                    error = data
                if name == "execution_interrupted":
                    interrupted = True
        status = "completed" if status_str == "success" else ("cancelled" if interrupted else "failed")
        job = {"id": prompt_id, "status": status, "priority": item["prompt"][0], "create_time": item["prompt"][3]["create_time"],
               "execution_start_time": start, "execution_end_time": end, "outputs": item["outputs"],
               "execution_status": item["status"], "outputs_count": sum(len(v.get("images", [])) for v in item["outputs"].values())}
        if error is not None:
            job["execution_error"] = error
        return Reply.json(200, job)

    def upload(self, req):
        st = self.queue()
        ctype = req.headers.get("Content-Type") or ""
        if not ctype.startswith("multipart/form-data"):
            return Reply(400, b"400: Bad Request", "text/plain")
        raw = b"Content-Type: " + ctype.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + req.body
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        fields, filename = {}, None
        for part in msg.iter_parts() if msg.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                filename = part.get_filename()
                fields[name] = payload
            else:
                fields[name] = payload.decode("utf-8", "replace")
        if not isinstance(fields.get("image"), bytes) or not filename:
            return Reply(400, b"400: Bad Request", "text/plain")
        if fields.get("type", "input") != "input":
            return Reply(400, b"this emulator keeps only input uploads", "text/plain")
        subfolder = fields.get("subfolder", "")
        if "/" in filename or ".." in subfolder:
            return Reply(400, b"400: Bad Request", "text/plain")
        key = lambda n: (subfolder + "/" + n) if subfolder else n
        name = filename
        if key(name) in st.inputs and fields.get("overwrite", "").lower() not in ("true", "1"):
            stem, dot, ext = filename.rpartition(".")
            i = 1
            while key("%s (%d).%s" % (stem, i, ext)) in st.inputs:
                i += 1
            name = "%s (%d).%s" % (stem, i, ext)
        data = fields["image"]
        size = None
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            size = (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
        st.inputs[key(name)] = size  # None: saved, but LoadImage cannot open it
        self.state.event("uploaded", file=key(name), size=len(data))
        return Reply.json(200, {"name": name, "subfolder": subfolder, "type": "input"})

    def view(self, req, mode):
        st = self.queue()
        q = {k: unquote(v[0]) for k, v in req.query.items()}
        if "filename" not in q:
            return Reply(400, b"400: Bad Request", "text/plain")
        key = (q["filename"], q.get("subfolder", ""), q.get("type", "output"))
        if key not in st.files:
            return Reply(404, b"404: Not Found", "text/plain")
        w, h, seed = st.files[key]
        image = png_bytes(w, h, colour_for(seed))
        if mode == "truncated_image":
            image = image[: len(image) // 2]
        return Reply(200, image, "image/png")

    def cancel(self, req, path):
        st = self.queue()
        body = req.json() or {}
        if path == "/interrupt":
            target = body.get("prompt_id")
            for e in list(st.entries):
                if e["status"] == "running" and (target is None or e["id"] == target):
                    self.complete(e, "interrupted")
                    self.state.event("interrupted", prompt_id=e["id"])
            return Reply(200, b"", "text/plain")
        if body.get("clear"):
            st.entries = [e for e in st.entries if e["status"] == "running"]
        for pid in body.get("delete") or []:
            before = len(st.entries)
            st.entries = [e for e in st.entries if not (e["id"] == pid and e["status"] == "pending")]
            if len(st.entries) != before:
                self.state.event("dequeued", prompt_id=pid)
        return Reply(200, b"", "text/plain")


if __name__ == "__main__":
    import sys
    if "--require-auth" in sys.argv:
        sys.argv.remove("--require-auth")
        ComfyHandler.require_auth = True
    raise SystemExit(serve(ComfyHandler, "ComfyUI API emulator", "test-token-comfyui"))
