"""The exceptions the client raises.

Every answer of the API that is an error carries ``{"error": {"code", "message"}}``; the client
raises the subclass that matches the code (or, for codes it does not know, the HTTP status), so
callers can catch what they can act on — a budget, a policy refusal, a name they mistyped —
without parsing text. The message is the server's, which says what to do. No exception ever
carries the bearer token.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Type


class ImagegenError(Exception):
    """Base class of everything this package raises."""

    def __init__(self, message: str, *, code: str = "client_error", status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def __str__(self) -> str:
        prefix = f"{self.status} " if self.status is not None else ""
        return f"{prefix}{self.code}: {self.message}"


class APIError(ImagegenError):
    """The server answered with an error: ``status``, its stable ``code`` and its ``message``."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: Optional[float] = None) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class InvalidRequest(APIError):
    """400: a field is missing, unknown, of the wrong type or out of range (the message names it)."""


class UnknownName(InvalidRequest):
    """400 ``unknown_model`` / ``unknown_category`` / ``unknown_template`` / ``unknown_profile``.

    ``known`` lists the names the server knows, as its message gives them.
    """

    @property
    def known(self) -> List[str]:
        return known_names(self.message)


class AuthenticationError(APIError):
    """401 ``unauthorized``: the server has a token and the request had none, or the wrong one.
    Set ``IMAGEGEN_TOKEN`` (or pass ``token=``)."""


class BudgetExceeded(APIError):
    """402 ``budget_exceeded`` (nothing was queued) or ``unpriced_model`` (a budget is set and the
    model has no price)."""


class ContentPolicyError(APIError):
    """403/422 ``content_policy``: an adult category without the operator's attestation or without
    a provider that allows it, or a prompt the policy refuses."""


class QuotaExceeded(APIError):
    """429 ``quota_exceeded``: a provider's or token's quota is used up; ``retry_after`` says when
    it resets (seconds), when the server says so."""


class NotFound(APIError):
    """404 ``not_found``: no such image, job, reservation or path."""


class EventStreamUnavailable(NotFound):
    """``GET /v1/events`` is not served: the server predates the event stream."""


class Conflict(APIError):
    """409: ``already_reserved``, ``job_finished``, ``already_processing``, ``original_unusable``."""


class FileMissing(APIError):
    """410 ``file_missing``: the image is in the catalog but its file is gone from the data folder."""


class ServiceUnavailable(APIError):
    """503 (``shutting_down``, ``catalog_busy``, ...) after the client's retries ran out."""


class ServerError(APIError):
    """5xx other than 503: the server's fault; its log says more."""


class ConnectionFailed(ImagegenError):
    """The server could not be reached, or the connection dropped, after the client's retries."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="connection_failed")


class GenerationTimeout(ImagegenError):
    """The jobs were queued but had not finished within the timeout.

    Nothing is lost: they keep running on the server. Call ``generate`` / ``generate_custom``
    again with ``idempotency_key=error.idempotency_key`` to wait for the same batch (nothing is
    queued twice), or follow ``job_ids`` with ``GET /v1/jobs/{id}``.
    """

    def __init__(self, message: str, *, batch_id: str, job_ids: Sequence[str], idempotency_key: str) -> None:
        super().__init__(message, code="timeout")
        self.batch_id = batch_id
        self.job_ids = list(job_ids)
        self.idempotency_key = idempotency_key


class GenerationFailed(ImagegenError):
    """Every job finished, but not all succeeded (failed, cancelled or ``content_filtered``).

    ``code`` is the first failing job's ``error_code`` (or its state); ``jobs`` holds every job
    as the server reported it and ``images`` the records of those that did succeed.
    """

    def __init__(self, message: str, *, code: str, jobs: Sequence[Dict[str, Any]], images: Sequence[Any]) -> None:
        super().__init__(message, code=code)
        self.jobs = list(jobs)
        self.images = list(images)


_BY_CODE: Dict[str, Type[APIError]] = {
    "invalid_request": InvalidRequest,
    "invalid_json": InvalidRequest,
    "not_an_original": InvalidRequest,
    "unknown_model": UnknownName,
    "unknown_category": UnknownName,
    "unknown_template": UnknownName,
    "unknown_profile": UnknownName,
    "unauthorized": AuthenticationError,
    "budget_exceeded": BudgetExceeded,
    "unpriced_model": BudgetExceeded,
    "content_policy": ContentPolicyError,
    "quota_exceeded": QuotaExceeded,
    "not_found": NotFound,
    "file_missing": FileMissing,
}

_BY_STATUS: Dict[int, Type[APIError]] = {
    400: InvalidRequest, 401: AuthenticationError, 402: BudgetExceeded, 403: ContentPolicyError,
    404: NotFound, 409: Conflict, 410: FileMissing, 422: ContentPolicyError, 429: QuotaExceeded,
    503: ServiceUnavailable,
}


def error_for(status: int, code: str, message: str, retry_after: Optional[float] = None) -> APIError:
    """The exception for an error answer: by code first, then by status."""
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    return cls(status, code, message, retry_after=retry_after)


_KNOWN = re.compile(r"Known(?: [a-z]+)?: (.*?)(?:\.(?: [A-Z`].*)?)?$", re.DOTALL)


def known_names(message: str) -> List[str]:
    """The names after "Known: " (or "Known models: ") in a server message, [] when it has none."""
    match = _KNOWN.search(message)
    if not match or match.group(1).strip() in ("", "none"):
        return []
    return [name.strip() for name in match.group(1).split(",") if name.strip()]
