"""HTTP to ``imagegen serve``: one request, its retries, and its errors.

Standard library only (``http.client``). Each call opens its own connection, so a retry never
reuses a connection that just failed.

Retries (with exponential back-off and jitter, ``retries`` times at most):

- **503** (``shutting_down``, ``catalog_busy``, ...): the server did nothing, so every call is
  retried, after ``Retry-After`` when the server sends one.
- **Connection errors before the request was sent** (refused, unreachable): every call.
- **Connection errors after it was sent** (reset, dropped before the answer, read timeout): the
  server may have acted, so only calls that are safe to repeat are retried — reads, and
  ``POST /v1/generations``, whose ``Idempotency-Key`` makes the server return the batch the
  first attempt queued instead of queuing (and paying for) a second one. A rating or a
  reservation whose answer was lost raises ``ConnectionFailed``: look before you repeat it.

Every request carries an ``Idempotency-Key`` (the same one on each retry of a call). The bearer
token goes only into the ``Authorization`` header: never into a message or an exception.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional
from urllib.parse import quote, urlencode, urlsplit

from .errors import APIError, ConnectionFailed, ImagegenError, error_for

USER_AGENT = "ai-image-generator-python/1.0"


@dataclass
class Response:
    status: int
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class _NotSent(Exception):
    """The connection failed before the request reached the server: always safe to retry."""


class Transport:
    def __init__(self, url: str, token: Optional[str], *, timeout: float, retries: int, backoff: float,
                 max_backoff: float = 8.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImagegenError(f"the server URL must look like http://127.0.0.1:8080, got {url!r}", code="invalid_url")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.url = f"{parts.scheme}://{parts.netloc}{self.prefix}"
        self._token = token
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.max_backoff = max_backoff

    def __repr__(self) -> str:  # never show the token
        return f"Transport({self.url!r}, token={'set' if self._token else 'none'})"

    @staticmethod
    def path(*segments: str) -> str:
        """``/v1/images/<id>/file`` with each dynamic segment percent-encoded."""
        return "".join("/" + quote(s, safe="") for s in segments)

    def connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        h = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self._token:
            h["Authorization"] = f"Bearer {self._token}"
        h.update(extra or {})
        return h

    def target(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        items = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        return self.prefix + path + (("?" + urlencode(items)) if items else "")

    def request(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, body: Any = None,
                repeatable: Optional[bool] = None, idempotency_key: Optional[str] = None,
                timeout: Optional[float] = None) -> Response:
        """Sends one call (retrying as the module says) and returns a 2xx/304 answer; raises the
        typed ``APIError`` for an error answer, ``ConnectionFailed`` when the server stays unreachable.

        ``repeatable``: whether resending after a lost answer is safe (default: GET/HEAD only).
        """
        key = idempotency_key or new_idempotency_key()
        repeatable = method in ("GET", "HEAD") if repeatable is None else repeatable
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        extra = {"Idempotency-Key": key}
        if data is not None:
            extra["Content-Type"] = "application/json"
        headers = self.headers(extra)
        target = self.target(path, query)
        what = f"{method} {self.prefix}{path}"
        attempt = 0
        while True:
            try:
                response = self._once(method, target, data, headers, timeout or self.timeout)
            except _NotSent as e:
                failure: Optional[str] = f"{what}: could not connect to {self.url}: {e.__cause__ or e}"
                retry_after = None
            except (OSError, http.client.HTTPException) as e:
                failure = f"{what}: the connection to {self.url} failed before the answer arrived: {_describe(e)}"
                retry_after = None
                if not repeatable:
                    raise ConnectionFailed(failure + ". The server may have acted on it; check before repeating it.") from None
            else:
                if response.status != 503:
                    if response.status >= 400:
                        raise _api_error(response)
                    return response
                failure = None
                retry_after = _retry_after(response.headers)
                if attempt >= self.retries:
                    raise _api_error(response)
            if attempt >= self.retries:
                assert failure is not None
                raise ConnectionFailed(f"{failure} (after {attempt + 1} attempts)") from None
            time.sleep(self._delay(attempt, retry_after))
            attempt += 1

    def _once(self, method: str, target: str, data: Optional[bytes], headers: Dict[str, str],
              timeout: float) -> Response:
        conn = self.connection(timeout)
        try:
            try:
                conn.connect()
            except OSError as e:
                raise _NotSent(str(e)) from e
            conn.request(method, target, body=data, headers=headers)
            r = conn.getresponse()
            body = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, body)
        finally:
            conn.close()

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        base = min(self.backoff * (2 ** attempt), self.max_backoff)
        return base * (0.5 + random.random() / 2)


def new_idempotency_key() -> str:
    """A fresh key: 32 hex characters (the server accepts 1…200 visible ASCII characters)."""
    return uuid.uuid4().hex


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _describe(e: BaseException) -> str:
    if isinstance(e, socket.timeout):
        return "timed out"
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    try:
        value = float(headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _api_error(response: Response) -> APIError:
    code, message = f"http_{response.status}", ""
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        message = response.body[:200].decode("utf-8", "replace") or f"HTTP {response.status}"
    return error_for(response.status, code, message, _retry_after(response.headers))
