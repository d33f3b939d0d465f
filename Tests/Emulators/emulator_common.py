"""Shared machinery for the provider emulators (Python 3 standard library only).

Each emulator serves one provider's documented HTTP API on 127.0.0.1 so the plugins can be
tested without the internet. This module gives them:

- a threaded HTTP/1.1 server started from the command line (``--port 0`` picks a free port,
  which is printed and written to ``--port-file`` so a test can find it);
- a control API under ``/__emulator/`` for the tests:
    POST /__emulator/scenario  {"mode": "...", "on": "create", "times": 1, ...}  inject a fault
    POST /__emulator/reset                                                    forget everything
    GET  /__emulator/requests   the request log (never the key itself: only whether auth was valid)
    GET  /__emulator/events     cancels received, clients that hung up, ...
- generic fault modes every provider shares: ``drop`` (connection closed mid-response),
  ``malformed`` (2xx with a body that is not JSON), ``hang`` (never answers; records when the
  client gives up), and a hook for provider-specific modes with documented error bodies;
- tiny but valid PNG images made with zlib + struct.
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs


def png_bytes(width, height, rgb=(200, 120, 40)):
    """A valid RGB PNG of one flat colour (compresses to a few hundred bytes at any size)."""
    width = max(1, min(int(width), 4096))
    height = max(1, min(int(height), 4096))
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def colour_for(seed):
    seed = int(seed or 0) & 0xFFFFFFFF
    return ((seed * 37) % 256, (seed * 91 + 60) % 256, (seed * 13 + 120) % 256)


class EmulatorState:
    """Everything an emulator remembers, behind one lock (the server is threaded)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.scenarios = []
            self.requests = []
            self.events = []
            self.jobs = {}
            self.files = {}
            self.counter = 0

    def next_id(self, prefix=""):
        with self.lock:
            self.counter += 1
            return "%s%06d" % (prefix, self.counter)

    def add_scenario(self, scenario):
        with self.lock:
            self.scenarios.append(dict(scenario))

    def take_fault(self, kind, standing=()):
        """The first active scenario that applies to a request of this kind, counted down.
        Standing modes (behaviours of new jobs, read with ``active_mode``) are not faults."""
        with self.lock:
            for s in self.scenarios:
                if s.get("mode") in standing:
                    continue
                on = s.get("on", "any")
                applies = on == "any" or on == kind or (isinstance(on, list) and kind in on)
                if not applies:
                    continue
                times = s.get("times")
                if times is not None:
                    if times <= 0:
                        continue
                    s["times"] = times - 1
                return dict(s)
            return None

    def active_mode(self, mode):
        """A scenario that sets a standing behaviour (e.g. ``never_finishes``), not counted down."""
        with self.lock:
            for s in self.scenarios:
                if s.get("mode") == mode:
                    return dict(s)
            return None

    def log_request(self, record):
        with self.lock:
            self.requests.append(record)

    def event(self, name, **fields):
        with self.lock:
            entry = {"event": name, "at": time.time()}
            entry.update(fields)
            self.events.append(entry)


class EmulatorHandler(BaseHTTPRequestHandler):
    """Base handler: control endpoints, request logging, generic faults.

    Subclasses implement ``answer(req)`` returning a ``Reply``; ``serve`` sets ``state``,
    ``token`` and ``base`` on the class. ``classify(req)`` names the kind of request
    ("create", "get", "file", ...) that scenarios target.
    """

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
    disable_nagle_algorithm = True
    server_version = "imagegen-emulator/1"
    state = None
    token = None
    # Modes that describe how new jobs behave rather than how one request fails.
    standing_modes = ()
    # Headers worth recording for the tests (the auth header's value never is).
    recorded_headers = ("content-type", "accept", "prefer", "cancel-after", "user-agent")

    def log_message(self, fmt, *args):  # quiet: tests read the request log instead
        pass

    # -- plumbing ---------------------------------------------------------------------------

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        body = self._read_body()
        req = Request(method, parts.path, parse_qs(parts.query), self.headers, body)
        if parts.path.startswith("/__emulator/"):
            return self._control(req)
        req.kind = self.classify(req)
        record = {"method": method, "path": parts.path, "kind": req.kind, "auth_ok": self.auth_ok(req), "at": time.time(),
                  "headers": {h: self.headers.get(h) for h in self.recorded_headers if self.headers.get(h) is not None}}
        record.update(self.describe_body(req))
        self.state.log_request(record)
        fault = self.state.take_fault(req.kind, self.standing_modes)
        if fault is not None and self._generic_fault(req, fault):
            return
        req.fault = fault
        try:
            self.send_reply(req, self.answer(req))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _control(self, req):
        if req.path == "/__emulator/scenario" and req.method == "POST":
            scenario = json.loads(req.body or b"{}")
            self.state.add_scenario(scenario)
            return self.send_json(200, {"ok": True, "scenario": scenario})
        if req.path == "/__emulator/reset" and req.method == "POST":
            self.state.reset()
            return self.send_json(200, {"ok": True})
        if req.path == "/__emulator/requests":
            with self.state.lock:
                return self.send_json(200, list(self.state.requests))
        if req.path == "/__emulator/events":
            with self.state.lock:
                return self.send_json(200, list(self.state.events))
        return self.send_json(404, {"error": "unknown control path"})

    def _generic_fault(self, req, fault):
        mode = fault.get("mode")
        if mode == "drop":
            # The request arrived (and a create is carried out), then the connection dies
            # half-way through the answer: the client cannot know what happened.
            if req.kind == "create":
                self.answer(req)
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"id\": \"par")
            self.wfile.flush()
            self._hard_close()
            self.state.event("dropped", path=req.path, kind=req.kind)
            return True
        if mode == "malformed":
            if req.kind == "create":
                self.answer(req)
            self.send_raw(fault.get("status", 200), b"<html>upstream said: {not json", "application/json")
            return True
        if mode == "hang":
            self._hang(req, fault.get("max_seconds", 30))
            return True
        return False

    def _hard_close(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _hang(self, req, max_seconds):
        """Answers nothing until the client hangs up (its timeout), and records that it did."""
        deadline = time.time() + max_seconds
        sock = self.connection
        while time.time() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                try:
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        self.state.event("client_disconnected", path=req.path, kind=req.kind)
                        break
                except OSError:
                    self.state.event("client_disconnected", path=req.path, kind=req.kind)
                    break
        self._hard_close()

    # -- answers ----------------------------------------------------------------------------

    def send_raw(self, status, payload, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(payload)

    def send_json(self, status, obj, headers=None):
        self.send_raw(status, json.dumps(obj).encode(), "application/json", headers)

    def send_reply(self, req, reply):
        if reply.hang:
            return self._hang(req, reply.hang)
        payload = reply.body
        if reply.truncate:
            # A well-framed answer whose content is only the first half of the file.
            payload = payload[: max(1, len(payload) // 2)]
        self.send_raw(reply.status, payload, reply.content_type, reply.headers)

    # -- hooks for subclasses -----------------------------------------------------------------

    def classify(self, req):
        return "other"

    def auth_ok(self, req):
        return True

    def describe_body(self, req):
        if req.body:
            try:
                return {"json": json.loads(req.body)}
            except ValueError:
                return {"body_bytes": len(req.body)}
        return {}

    def answer(self, req):
        """The answer to one API request, as a Reply (without sending it: a ``drop`` fault
        carries out a create and then throws its answer away)."""
        raise NotImplementedError


class Reply:
    def __init__(self, status, body=b"", content_type="application/json", headers=None, truncate=False, hang=0):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}
        self.truncate = truncate
        self.hang = hang

    @staticmethod
    def json(status, obj, headers=None):
        return Reply(status, json.dumps(obj).encode(), "application/json", headers)


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.kind = "other"
        self.fault = None

    def json(self):
        try:
            value = json.loads(self.body or b"null")
        except ValueError:
            return None
        return value


def watch_parent(server, parent):
    """Stops the server when the process that started it is gone, so a crashed test run
    leaves no emulator behind."""
    original = os.getppid()

    def alive():
        if not parent:
            return os.getppid() == original
        try:
            os.kill(parent, 0)
            return True
        except OSError:
            return False

    def watch():
        while alive():
            time.sleep(0.5)
        server.shutdown()

    threading.Thread(target=watch, daemon=True).start()


def serve(handler_class, description, default_token):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: pick a free one)")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--token", default=default_token, help="the API key the emulator accepts")
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone (default: the parent)")
    args = parser.parse_args()
    # A child inherits its parent's signal mask. Started from a Swift concurrency or dispatch
    # thread (an async setUp), every signal arrives blocked, so the test's terminate() would
    # never end the emulator and its waitUntilExit() would wait forever: unblock them.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    handler_class.state = EmulatorState()
    handler_class.token = args.token
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class)
    server.daemon_threads = True
    port = server.server_address[1]
    handler_class.base = "http://127.0.0.1:%d" % port
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print("LISTENING %d" % port, flush=True)
    watch_parent(server, args.parent_pid)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
