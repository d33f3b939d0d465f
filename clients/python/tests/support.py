"""What the client tests run against, all on 127.0.0.1: a real ``imagegen serve`` (the built
binary, the Preview plugin in a temporary plugins folder, a temporary data folder, a bearer
token), a TCP proxy that can drop an answer, and small stub HTTP servers.

The server is started once for the whole run (``shared_server()``) and stopped at exit.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("IMAGEGEN_BUILD_DIR", os.path.join(REPO, ".build", "debug"))

# The product's config for these tests:
# - the operator's attestation, so the adult categories (lingerie, feet) may be generated;
# - a price, so money is not all zero, and a tight daily budget on "feet" to hit;
# - Preview jobs take 300 ms (a request with no wait is answered before they can finish), and
#   a prompt with "forbiddenzebra" ends content_filtered.
CONFIG = """{
  attestation: { attested_by: "Test Studio, age verification officer", attested_at: "2026-01-15" },
  models: { preview: { price: { per_image: 0.01 } } },
  budgets: { categories: { feet: { daily: 0.015 } } },
  providers: { preview: { latency_ms: 300, filter_word: "forbiddenzebra" } },
}
"""


class ImagegenServer:
    """``imagegen serve --listen 127.0.0.1:0`` over throw-away folders; the port is read from its log."""

    def __init__(self, config: str = CONFIG) -> None:
        binary = os.path.join(BUILD, "imagegen")
        plugin = os.path.join(BUILD, "libimagegen-preview.so")
        for path in (binary, plugin):
            if not os.path.exists(path):
                raise RuntimeError(f"{path} is missing: build first (swift build --product imagegen "
                                   "and --product imagegen-preview, or make build)")
        self.root = tempfile.mkdtemp(prefix="imagegen-pyclient-")
        self.plugins = os.path.join(self.root, "plugins")
        self.data = os.path.join(self.root, "data")
        self.config = os.path.join(self.root, "config.json5")
        os.makedirs(self.plugins)
        shutil.copy(plugin, self.plugins)
        with open(self.config, "w") as f:
            f.write(config)
        self.token = secrets.token_urlsafe(24)
        self.log_path = os.path.join(self.root, "serve.log")
        env = dict(os.environ, IMAGEGEN_API_TOKEN=self.token)
        env.pop("IMAGEGEN_MASTER_KEY", None)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--config", self.config, "--plugins", self.plugins,
             "--data", self.data, "--grace", "2"],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=self.root)
        try:
            self.port = self._wait_for_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self._wait_for_model("preview")
        except BaseException:
            self.stop()
            raise

    def log(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def _wait_for_port(self) -> int:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            match = re.search(r"imagegen serve: listening on 127\.0\.0\.1:(\d+)", self.log())
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                raise RuntimeError(f"imagegen serve exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        raise RuntimeError(f"imagegen serve did not say where it listens:\n{self.log()}")

    def _wait_for_model(self, name: str) -> None:
        """The plugin is loaded by the folder watcher once it has settled: wait until it routes."""
        end = time.monotonic() + 60
        while time.monotonic() < end:
            models = self.get("/v1/models")["models"]
            if any(m["name"] == name for m in models):
                return
            time.sleep(0.1)
        raise RuntimeError(f"model {name} never became routable:\n{self.log()}")

    def get(self, path: str) -> Dict:
        """A raw GET with the token, independent of the client under test."""
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read())

    def job_count(self) -> int:
        return len(self.get("/v1/jobs?limit=1000")["jobs"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)


_shared: Optional[ImagegenServer] = None
_lock = threading.Lock()


def shared_server() -> ImagegenServer:
    global _shared
    with _lock:
        if _shared is None:
            _shared = ImagegenServer()
            atexit.register(_shared.stop)
        return _shared


class DropProxy:
    """A TCP proxy to ``upstream_port``. The first ``drop`` connections forward the request, wait
    for the server's answer to start, then close the client's connection without it — a
    connection lost after the server acted. Later connections pass through. ``requests`` keeps
    the bytes each connection sent upstream."""

    def __init__(self, upstream_port: int, drop: int = 1) -> None:
        self.upstream_port = upstream_port
        self.drop = drop
        self.requests: List[bytes] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                index = len(self.requests)
                self.requests.append(b"")
            threading.Thread(target=self._serve, args=(client, index), daemon=True).start()

    def _serve(self, client: socket.socket, index: int) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        dropping = index < self.drop

        def to_upstream() -> None:
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    with self._lock:
                        self.requests[index] += data
                    upstream.sendall(data)
                upstream.shutdown(socket.SHUT_WR)  # the client is done: let the server close too
            except OSError:
                pass

        threading.Thread(target=to_upstream, daemon=True).start()
        try:
            while True:
                data = upstream.recv(65536)
                if not data or dropping:
                    break  # dropping: the server has answered; the client never sees it
                client.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def headers_of(self, index: int) -> Dict[str, str]:
        head = self.requests[index].split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        return {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in head[1:] if ":" in line}

    def close(self) -> None:
        self._closed = True
        self._listener.close()


class StubServer:
    """A tiny HTTP server whose answers a test scripts: ``handler(request) -> (status, headers, body)``;
    every request is recorded as ``(method, path, headers)``."""

    def __init__(self, handler: Callable[["StubServer", BaseHTTPRequestHandler], None]) -> None:
        stub = self
        self.seen: List[tuple] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(length) if length else b""
                stub.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                handler(stub, self)

            do_GET = do_POST = do_DELETE = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(h: BaseHTTPRequestHandler, status: int, body: object, headers: Optional[Dict[str, str]] = None,
           content_type: str = "application/json") -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
