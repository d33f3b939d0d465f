"""``ImageGenerator``: the product's Python interface, over the HTTP API of ``imagegen serve``.

    generator = ImageGenerator()
    image = generator.generate(category="lingerie", template="lingerie_black_lace", variations=3)

``generate`` and ``generate_custom`` queue the jobs, wait for them (up to ``timeout``) and
return the metadata records. **One record when one variation was asked for, a list when
several** — decided by the request, never by how many images came back, so the type of the
answer does not depend on the outcome (``variations=3`` always gives a list of 3).
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Union, overload

from .errors import GenerationFailed, GenerationTimeout, ImagegenError, NotFound
from .events import EventStream
from .records import CostReport, ImageRecord, Rating, Reservation, StatsReport
from .transport import Transport, new_idempotency_key

#: Where ``imagegen serve`` listens by default (``server.listen``).
DEFAULT_URL = "http://127.0.0.1:8080"
#: The longest the server lets one request block (``wait`` in ``POST /v1/generations``).
SERVER_MAX_WAIT = 300.0
_FINAL = ("succeeded", "failed", "cancelled", "content_filtered")

Day = Union[str, _dt.date]
Time = Union[str, int, float, _dt.datetime]


class ImageGenerator:
    """A client of one ``imagegen serve``.

    ``url`` defaults to ``$IMAGEGEN_URL``, else ``http://127.0.0.1:8080`` (the server's default
    listen address); ``token`` to ``$IMAGEGEN_TOKEN``, else ``$IMAGEGEN_API_TOKEN`` (the variable
    the server reads its token from), else none (a loopback server needs none).
    ``timeout`` bounds how long ``generate`` waits for the images; ``request_timeout`` one HTTP
    exchange; ``retries`` and ``backoff`` (seconds, doubled per attempt) the retries on 503 and
    connection errors (see ``transport``).
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, *, timeout: float = 600.0,
                 request_timeout: float = 30.0, retries: int = 4, backoff: float = 0.5) -> None:
        url = url or os.environ.get("IMAGEGEN_URL") or DEFAULT_URL
        if token is None:
            token = os.environ.get("IMAGEGEN_TOKEN") or os.environ.get("IMAGEGEN_API_TOKEN") or None
        self.timeout = timeout
        self._http = Transport(url, token, timeout=request_timeout, retries=retries, backoff=backoff)

    @property
    def url(self) -> str:
        return self._http.url

    def __repr__(self) -> str:
        return f"ImageGenerator({self.url!r})"

    # -- generating ---------------------------------------------------------------------------

    @overload
    def generate(self, category: Optional[str] = ..., template: Optional[str] = ..., variations: Literal[1] = ...,
                 model: Optional[str] = ..., profile: Optional[str] = ..., *, seed: Optional[int] = ...,
                 priority: Optional[int] = ..., timeout: Optional[float] = ...,
                 idempotency_key: Optional[str] = ...) -> ImageRecord: ...

    @overload
    def generate(self, category: Optional[str] = ..., template: Optional[str] = ..., variations: int = ...,
                 model: Optional[str] = ..., profile: Optional[str] = ..., *, seed: Optional[int] = ...,
                 priority: Optional[int] = ..., timeout: Optional[float] = ...,
                 idempotency_key: Optional[str] = ...) -> Union[ImageRecord, List[ImageRecord]]: ...

    def generate(self, category: Optional[str] = None, template: Optional[str] = None, variations: int = 1,
                 model: Optional[str] = None, profile: Optional[str] = None, *, seed: Optional[int] = None,
                 priority: Optional[int] = None, timeout: Optional[float] = None,
                 idempotency_key: Optional[str] = None) -> Union[ImageRecord, List[ImageRecord]]:
        """Images from a template, or from the first template of ``category`` when no template is
        named (the template decides the category of its images). ``profile`` names a preference
        profile that picks the placeholder values. Waits up to ``timeout`` seconds.

        Raises ``UnknownName`` (with ``.known``), ``ContentPolicyError``, ``BudgetExceeded``,
        ``QuotaExceeded``, ``GenerationFailed`` or ``GenerationTimeout``.
        """
        if template is None and category is None:
            raise ImagegenError("give a template, or a category to use its first template", code="invalid_request")
        body: Dict[str, Any] = {"template": template, "category": category, "variations": variations,
                                "model": model, "profile": profile, "priority": priority}
        if seed is not None:
            body["parameters"] = {"seed": seed}
        return self._generate(body, variations, timeout, idempotency_key)

    @overload
    def generate_custom(self, prompt: str, negative_prompt: Optional[str] = ...,
                        parameters: Optional[Mapping[str, Any]] = ..., category: Optional[str] = ...,
                        model: Optional[str] = ..., *, variations: Literal[1] = ..., tags: Optional[Sequence[str]] = ...,
                        priority: Optional[int] = ..., timeout: Optional[float] = ...,
                        idempotency_key: Optional[str] = ...) -> ImageRecord: ...

    @overload
    def generate_custom(self, prompt: str, negative_prompt: Optional[str] = ...,
                        parameters: Optional[Mapping[str, Any]] = ..., category: Optional[str] = ...,
                        model: Optional[str] = ..., *, variations: int = ..., tags: Optional[Sequence[str]] = ...,
                        priority: Optional[int] = ..., timeout: Optional[float] = ...,
                        idempotency_key: Optional[str] = ...) -> Union[ImageRecord, List[ImageRecord]]: ...

    def generate_custom(self, prompt: str, negative_prompt: Optional[str] = None,
                        parameters: Optional[Mapping[str, Any]] = None, category: Optional[str] = None,
                        model: Optional[str] = None, *, variations: int = 1, tags: Optional[Sequence[str]] = None,
                        priority: Optional[int] = None, timeout: Optional[float] = None,
                        idempotency_key: Optional[str] = None) -> Union[ImageRecord, List[ImageRecord]]:
        """Images from a prompt. ``parameters``: ``width``, ``height`` (multiples of 8 within the
        model's limits), ``steps``, ``guidance_scale``, ``seed``. The model is the server's
        default (``defaults.model``) unless named. Waits up to ``timeout`` seconds."""
        body: Dict[str, Any] = {"prompt": prompt, "negative_prompt": negative_prompt,
                                "parameters": dict(parameters) if parameters else None, "category": category,
                                "model": model, "variations": variations,
                                "tags": list(tags) if tags is not None else None, "priority": priority}
        return self._generate(body, variations, timeout, idempotency_key)

    def _generate(self, body: Dict[str, Any], variations: int, timeout: Optional[float],
                  idempotency_key: Optional[str]) -> Union[ImageRecord, List[ImageRecord]]:
        timeout = self.timeout if timeout is None else timeout
        if timeout < 0:
            raise ImagegenError("timeout must not be negative", code="invalid_request")
        key = idempotency_key or new_idempotency_key()
        deadline = time.monotonic() + timeout
        wait = min(timeout, SERVER_MAX_WAIT)
        body = {k: v for k, v in body.items() if v is not None}
        body["wait"] = round(wait, 3)
        # The server may block `wait` seconds before it answers: the socket must wait longer.
        answer = self._http.request("POST", "/v1/generations", body=body, repeatable=True, idempotency_key=key,
                                    timeout=self._http.timeout + wait).json()
        batch, jobs, images = answer.get("batch_id", ""), answer["jobs"], answer.get("images", [])
        if answer.get("status") != "finished":
            jobs, images = self._follow(batch, jobs, deadline, key)
        failed = [j for j in jobs if j.get("state") != "succeeded"]
        records = [ImageRecord.from_json(i) for i in images]
        if failed:
            first = failed[0]
            code = first.get("error_code") or first.get("state") or "failed"
            raise GenerationFailed(f"{len(failed)} of {len(jobs)} job(s) of batch {batch} did not succeed: "
                                   f"{first.get('state')} ({code}): {first.get('error_message') or 'no message'}",
                                   code=code, jobs=jobs, images=records)
        return records[0] if variations == 1 and records else records

    def _follow(self, batch: str, jobs: List[Dict[str, Any]], deadline: float,
                key: str) -> "tuple[List[Dict[str, Any]], List[Dict[str, Any]]]":
        """Polls the batch's jobs until every one is final, then collects their images in job order."""
        ids = [j["id"] for j in jobs]
        interval = 0.2
        while True:
            # The deadline first: an answer that came back pending at the deadline is a timeout.
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GenerationTimeout(
                    f"batch {batch}: {sum(j.get('state') in _FINAL for j in jobs)} of {len(jobs)} job(s) finished "
                    "within the timeout; the rest keep running. Call again with idempotency_key=error.idempotency_key "
                    "to keep waiting for the same batch.", batch_id=batch, job_ids=ids, idempotency_key=key)
            time.sleep(min(interval, remaining))
            interval = min(interval * 1.5, 2.0)
            current = {j["id"]: j for j in self._http.request(
                "GET", "/v1/jobs", query={"batch": batch, "limit": 1000}).json()["jobs"]}
            jobs = [current.get(i, j) for i, j in zip(ids, jobs)]
            if all(j.get("state") in _FINAL for j in jobs):
                break
        images: List[Dict[str, Any]] = []
        for job in jobs:
            if job.get("state") == "succeeded":
                images += self._http.request("GET", Transport.path("v1", "jobs", job["id"])).json().get("images", [])
        return jobs, images

    # -- images ------------------------------------------------------------------------------

    def image(self, image_id: str) -> ImageRecord:
        """One record (``GET /v1/images/{id}``), with its ``derivatives``."""
        return ImageRecord.from_json(self._http.request("GET", Transport.path("v1", "images", image_id)).json())

    def images(self, *, category: Optional[str] = None, tag: Optional[str] = None, model: Optional[str] = None,
               since: Optional[Time] = None, status: Optional[str] = None, job: Optional[str] = None,
               available: Optional[bool] = None, limit: Optional[int] = None) -> List[ImageRecord]:
        """Original images, newest first (``GET /v1/images``). ``since``: a datetime, ISO 8601 text
        or Unix seconds; ``available=True``: the stored originals nobody has reserved (combines with
        ``category``, ``tag`` and ``limit`` only). ``limit`` is 1…1000 (server default 100).

        A plain list: the API does not paginate (no cursor); narrow with ``since`` or ``limit``.
        """
        query = {"category": category, "tag": tag, "model": model, "since": _time(since), "status": status,
                 "job": job, "available": available, "limit": limit}
        answer = self._http.request("GET", "/v1/images", query=query).json()
        return [ImageRecord.from_json(i) for i in answer["images"]]

    def download(self, image_id: str, variant: Optional[str] = None, *, format: Optional[str] = None,
                 path: Optional[Union[str, os.PathLike]] = None) -> bytes:
        """The bytes of an image (``GET /v1/images/{id}/file``); also written to ``path`` if given.

        ``variant`` (``master``, ``publish``, ``thumbnail``, ...): a post-processed derivative of
        the original instead — the newest run's, in ``format`` (``jpeg``, ``webp``, ...) when
        given. Derivatives are rendered in the background once a job has succeeded, typically
        within a second; until then this raises ``NotFound`` naming the variants there are.
        """
        target = image_id
        if variant is not None:
            target = self._derivative_id(image_id, variant, format)
        data = self._http.request("GET", Transport.path("v1", "images", target, "file")).body
        if path is not None:
            tmp = f"{os.fspath(path)}.part"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return data

    def _derivative_id(self, image_id: str, variant: str, format: Optional[str]) -> str:
        record = self.image(image_id)
        matches = [d for d in record.derivatives if d.variant == variant and (format is None or d.format == format)]
        if not matches:
            there = sorted({f"{d.variant}/{d.format}" for d in record.derivatives}) or ["none yet"]
            wanted = variant + (f"/{format}" if format else "")
            raise NotFound(404, "not_found", f"image {image_id} has no {wanted} derivative; it has: {', '.join(there)}")
        return max(matches, key=lambda d: d.run).image_id

    # -- curation ----------------------------------------------------------------------------

    def reserve(self, image_id: str, day: Day, channel: str) -> Reservation:
        """Holds an original for a post on ``channel`` on ``day`` (a date or YYYY-MM-DD). An image
        holds one reservation at a time: a second raises ``Conflict`` (``already_reserved``)."""
        body = {"channel": channel, "day": day.isoformat() if isinstance(day, _dt.date) else day}
        answer = self._http.request("POST", Transport.path("v1", "images", image_id, "reservation"), body=body)
        return Reservation.from_json(answer.json())

    def release(self, image_id: str) -> Reservation:
        """Releases the image's active reservation (``NotFound`` when it has none)."""
        return Reservation.from_json(
            self._http.request("DELETE", Transport.path("v1", "images", image_id, "reservation")).json())

    def rate(self, image_id: str, rating: int) -> Rating:
        """Records a 1…5 rating of an original (the latest counts; it feeds the A/B experiments
        and the preference profile that chose the image's placeholder values)."""
        return Rating.from_json(self._http.request(
            "POST", Transport.path("v1", "images", image_id, "rating"), body={"rating": rating}).json())

    # -- money and statistics ------------------------------------------------------------------

    def costs(self, by: str = "model", since: Optional[Time] = None) -> CostReport:
        """Spending from the ledger by ``model``, ``category``, ``plugin`` or ``day``, and the budgets."""
        return CostReport.from_json(self._http.request(
            "GET", "/v1/costs", query={"by": by, "since": _time(since)}).json())

    def stats(self, by: str = "model", since: Optional[Time] = None) -> StatsReport:
        """Generation statistics by ``model``, ``provider``, ``category`` or ``template``, and the budgets."""
        return StatsReport.from_json(self._http.request(
            "GET", "/v1/stats", query={"by": by, "since": _time(since)}).json())

    # -- events ------------------------------------------------------------------------------

    def events(self, last_event_id: Optional[str] = None, *, reconnect: bool = True,
               max_reconnects: Optional[int] = None) -> EventStream:
        """The server's event stream (``GET /v1/events``), resumed after ``last_event_id``.

        A server without the stream (an older ``imagegen serve``) raises
        ``EventStreamUnavailable`` when iterated. Use as
        ``with generator.events() as stream: for event in stream: ...``.
        """
        return EventStream(self._http, last_event_id=last_event_id, reconnect=reconnect,
                           max_reconnects=max_reconnects)


def _time(value: Optional[Time]) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ImagegenError("since: give a timezone-aware datetime (e.g. datetime.now(timezone.utc))",
                                code="invalid_request")
        return value.astimezone(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(value)

