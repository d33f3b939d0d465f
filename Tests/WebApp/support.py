"""What the browser tests run against, all on 127.0.0.1: a real ``imagegen serve`` (the debug build,
the Preview plugin, throw-away folders, a bearer token for the API checks), users of every role,
seeded images, and one headless Chromium driven by Selenium (Debian's chromium and chromedriver;
Selenium Manager is never asked to download anything)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from typing import Dict, Optional, Tuple

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("IMAGEGEN_BUILD_DIR", os.path.join(REPO, ".build", "debug"))
SCREENSHOTS = os.path.join(REPO, ".build", "webapp-screenshots")

# A price so the money page has something to draw; the operator's attestation so the adult
# category "lingerie" may be generated; fast Preview jobs; the output check through a stand-in
# detector (fake_detector.py: clean unless the test flags the next image), so which image is held
# back is the test's choice, not a verdict of NudeNet's on Preview's abstract pictures.
CONFIG = """{
  output_check: { python: "%(detector)s" },
  attestation: { attested_by: "Test Studio, age verification officer", attested_at: "2026-01-15" },
  models: { preview: { price: { per_image: 0.01 } } },
  budgets: { daily: 50 },
  providers: { preview: { latency_ms: 30 } },
}
"""

PASSWORDS = {"ada": "operator-pass-1234", "rita": "reviewer-pass-1234", "vic": "viewer-pass-1234"}
ROLES = {"ada": "admin", "rita": "reviewer", "vic": "viewer"}


class Server:
    """``imagegen serve --listen 127.0.0.1:0`` over throw-away folders; the port is read from its log."""

    def __init__(self) -> None:
        self.binary = os.path.join(BUILD, "imagegen")
        plugin = os.path.join(BUILD, "libimagegen-preview.so")
        for path in (self.binary, plugin):
            if not os.path.exists(path):
                raise RuntimeError(f"{path} is missing: build first (make build)")
        self.root = tempfile.mkdtemp(prefix="imagegen-webapp-")
        self.plugins = os.path.join(self.root, "plugins")
        self.data = os.path.join(self.root, "data")
        self.config = os.path.join(self.root, "config.json5")
        os.makedirs(self.plugins)
        shutil.copy(plugin, self.plugins)
        self.detector = os.path.join(self.root, "fake_detector.py")
        shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_detector.py"), self.detector)
        os.chmod(self.detector, 0o755)
        with open(self.config, "w") as f:
            f.write(CONFIG % {"detector": self.detector})
        self.token = secrets.token_urlsafe(24)
        self.log_path = os.path.join(self.root, "serve.log")
        self._log = open(self.log_path, "wb")
        # With a token configured, the browser must sign in. A server without accounts (no
        # POST /v1/users) would lock the browser out, so it is restarted without a token: the
        # loopback browser is then the operator, and the account tests skip, saying why.
        self._start(with_token=True)
        self.accounts = self.add_users()
        if not self.accounts:
            self._terminate()
            self._start(with_token=False)
        # Review states (approve/reject, ?review=) come with the accounts' backend.
        self.reviews = self.api("GET", "/v1/images?review=pending&limit=1")[0] == 200

    def _start(self, with_token: bool) -> None:
        self.env = dict(os.environ)
        self.env.pop("IMAGEGEN_API_TOKEN", None)
        self.env.pop("IMAGEGEN_MASTER_KEY", None)
        self.with_token = with_token
        if with_token:
            self.env["IMAGEGEN_API_TOKEN"] = self.token
        self.process = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:0", *self.folders(), "--grace", "2"],
            stdout=self._log, stderr=subprocess.STDOUT, env=self.env, cwd=self.root)
        try:
            self.port = self._wait_for_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self._wait_for_model("preview")
        except BaseException:
            self.stop()
            raise

    def folders(self):
        return ["--config", self.config, "--plugins", self.plugins, "--data", self.data]

    def cli(self, *args: str, stdin: Optional[str] = None) -> str:
        done = subprocess.run([self.binary, *args, *self.folders()], input=stdin, capture_output=True, text=True,
                              env=self.env, cwd=self.root, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"imagegen {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
        return done.stdout

    def add_users(self) -> bool:
        """The admin, a reviewer and a viewer, through the API with the machine's token; False
        when the server has no accounts."""
        for name, role in ROLES.items():
            status, body = self.api("POST", "/v1/users", {"name": name, "role": role, "password": PASSWORDS[name]})
            if status == 404:
                return False
            if status not in (200, 201):
                raise RuntimeError(f"adding user {name} answered {status}: {body}")
        # The admin may see adult categories; the viewer is not marked as an adult.
        status, body = self.api("POST", "/v1/users/ada", {"adult_verified": True})
        if status != 200:
            raise RuntimeError(f"marking ada as an adult answered {status}: {body}")
        return True

    def log(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def _wait_for_port(self) -> int:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            found = re.findall(r"imagegen serve: listening on 127\.0\.0\.1:(\d+)", self.log())
            match = found and len(found) > self._listens_seen
            if match:
                self._listens_seen = len(found)
                return int(found[-1])
            if self.process.poll() is not None:
                raise RuntimeError(f"imagegen serve exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        raise RuntimeError(f"imagegen serve did not say where it listens:\n{self.log()}")

    def _wait_for_model(self, name: str) -> None:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if any(m["name"] == name for m in self.api("GET", "/v1/models")[1]["models"]):
                return
            time.sleep(0.1)
        raise RuntimeError(f"model {name} never became routable:\n{self.log()}")

    def api(self, method: str, path: str, body: Optional[dict] = None, token: bool = True,
            headers: Optional[Dict[str, str]] = None) -> Tuple[int, dict]:
        """A raw call, independent of the web app: the machine's bearer token unless told otherwise."""
        h = dict(headers or {})
        if token and self.with_token:
            h["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                text = r.read()
                return r.status, json.loads(text) if text else {}
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, {"text": text.decode("utf-8", "replace")}

    def flag_next_image(self) -> None:
        """The stand-in detector reports exposed nudity on the next image it checks."""
        open(os.path.join(self.root, "flag-next"), "w").close()

    def generate(self, **body) -> dict:
        body.setdefault("wait", 120)
        status, answer = self.api("POST", "/v1/generations", body)
        if status != 200:
            raise RuntimeError(f"generation failed: {status} {answer}")
        return answer

    _listens_seen = 0

    def _terminate(self) -> None:
        if getattr(self, "process", None) and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        self._terminate()
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)


def browser():
    """Headless Chromium through the Debian chromedriver (never a downloaded one)."""
    os.environ["SE_AVOID_STATS"] = "true"
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    return driver
