"""The server-sent event stream ``GET /v1/events``, read to the WHATWG SSE rules.

Against a server without the stream (an older ``imagegen serve``), iterating raises
``EventStreamUnavailable``.

What the reader does, as the specification says:

- fields ``id``, ``event``, ``data`` (several ``data`` lines join with ``\\n``) and ``retry``;
  lines starting with ``:`` are comments (keep-alives); a line without ``:`` is a field with an
  empty value; one space after the colon is dropped; lines end in CRLF, LF or CR; a leading BOM
  is ignored; an event is dispatched at a blank line, and an event cut off by the end of the
  stream is dropped;
- an ``id`` with a NUL is ignored; an empty ``id`` resets the last event id; an id counts once
  its event is dispatched (a cut-off event's id does not);
- when the connection ends or fails it reconnects after the ``retry`` delay (3 s until the
  server sets one), sending ``Last-Event-ID`` so the server resumes after the last event seen;
  a 204 answer ends the stream for good.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional

from .errors import APIError, EventStreamUnavailable, ImagegenError, NotFound
from .transport import Transport, _api_error, Response

DEFAULT_RETRY_MS = 3000


@dataclass(frozen=True)
class Event:
    """One dispatched event: ``event`` is its type (``message`` by default), ``id`` the last
    event id when it was dispatched (what a reconnect resumes from)."""

    event: str
    data: str
    id: Optional[str]

    def json(self) -> Any:
        """``data`` parsed as JSON (the imagegen events carry JSON objects)."""
        return json.loads(self.data)


class EventParser:
    """Incremental SSE parser: ``feed`` bytes as they arrive, get the events they complete."""

    def __init__(self, last_event_id: Optional[str] = None) -> None:
        #: The id of the last *dispatched* event: what a reconnect resumes from.
        self.last_event_id = last_event_id
        # The id field as last read; it becomes `last_event_id` when its event is dispatched
        # (an event cut off by the end of the stream does not count).
        self._id_buffer = last_event_id
        #: Reconnection delay in milliseconds, as last set by a ``retry`` field (None: not set).
        self.retry_ms: Optional[int] = None
        self._buffer = b""
        self._skip_lf = False
        self._started = False
        self._reset()

    def _reset(self) -> None:
        self._event = ""
        self._data: List[str] = []

    def feed(self, chunk: bytes) -> List[Event]:
        events: List[Event] = []
        data = self._buffer + chunk
        start = 0
        i = 0
        while i < len(data):
            byte = data[i]
            if self._skip_lf:
                self._skip_lf = False
                if byte == 0x0A:  # the LF of a CRLF split across two chunks
                    start = i = i + 1
                    continue
            if byte in (0x0A, 0x0D):
                event = self._line(data[start:i])
                if event is not None:
                    events.append(event)
                if byte == 0x0D:
                    if i + 1 < len(data):
                        if data[i + 1] == 0x0A:
                            i += 1
                    else:
                        self._skip_lf = True
                start = i + 1
            i += 1
        self._buffer = data[start:]
        return events

    def _line(self, raw: bytes) -> Optional[Event]:
        line = raw.decode("utf-8", "replace")
        if not self._started:
            self._started = True
            if line.startswith("\ufeff"):
                line = line[1:]
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id_buffer = value or None
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self.retry_ms = int(value)
        return None

    def _dispatch(self) -> Optional[Event]:
        self.last_event_id = self._id_buffer
        if not self._data:
            self._reset()
            return None
        event = Event(event=self._event or "message", data="\n".join(self._data), id=self.last_event_id)
        self._reset()
        return event

    def end_of_stream(self) -> None:
        """The connection ended: an event without its blank line is dropped, and so is its id."""
        self._id_buffer = self.last_event_id
        self._buffer = b""
        self._skip_lf = False
        self._reset()


class EventStream:
    """Iterates the events of ``GET /v1/events``, reconnecting (with ``Last-Event-ID``) when the
    connection drops, until ``close()``, a 204, or ``max_reconnects`` reconnects in a row fail."""

    def __init__(self, transport: Transport, *, path: str = "/v1/events", last_event_id: Optional[str] = None,
                 reconnect: bool = True, max_reconnects: Optional[int] = None, read_timeout: float = 120.0) -> None:
        self._transport = transport
        self._path = path
        self._parser = EventParser(last_event_id)
        self._reconnect = reconnect
        self._max_reconnects = max_reconnects
        self._read_timeout = read_timeout
        self._conn: Optional[http.client.HTTPConnection] = None
        self._closed = False

    @property
    def last_event_id(self) -> Optional[str]:
        """What the next reconnect sends as ``Last-Event-ID`` (save it to resume in a later process)."""
        return self._parser.last_event_id

    @property
    def retry_ms(self) -> int:
        return self._parser.retry_ms if self._parser.retry_ms is not None else DEFAULT_RETRY_MS

    def close(self) -> None:
        self._closed = True
        if self._conn is not None:
            self._conn.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self) -> Iterator[Event]:
        failures = 0
        while not self._closed:
            try:
                for event in self._connect_and_read():
                    failures = 0
                    yield event
                    if self._closed:
                        return
            except _StreamEnded:
                return
            except (OSError, http.client.HTTPException) as e:
                if self._closed:
                    return
                failures += 1
                if not self._reconnect or (self._max_reconnects is not None and failures > self._max_reconnects):
                    raise ImagegenError(f"the event stream {self._transport.url}{self._path} failed: {type(e).__name__}",
                                        code="connection_failed") from None
            else:
                if not self._reconnect or self._closed:
                    return
                failures += 1
                if self._max_reconnects is not None and failures > self._max_reconnects:
                    return
            time.sleep(self.retry_ms / 1000.0)

    def _connect_and_read(self) -> Iterator[Event]:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self._parser.last_event_id is not None:
            headers["Last-Event-ID"] = self._parser.last_event_id
        conn = self._transport.connection(self._read_timeout)
        self._conn = conn
        try:
            conn.request("GET", self._transport.target(self._path), headers=self._transport.headers(headers))
            r = conn.getresponse()
            if r.status == 204:
                raise _StreamEnded()
            if r.status != 200:
                error = _api_error(Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()))
                if r.status == 503:
                    raise OSError(f"503 {error.code}")  # try again after the retry delay
                if isinstance(error, NotFound):
                    raise EventStreamUnavailable(
                        404, error.code, f"this server has no event stream (GET {self._path}); "
                        "events() needs an imagegen serve with the event stream") from None
                raise error
            content_type = (r.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type != "text/event-stream":
                raise APIError(r.status, "not_an_event_stream",
                               f"GET {self._path} answered {content_type or 'no content type'}, not text/event-stream")
            while not self._closed:
                chunk = r.read1(65536)
                if not chunk:
                    break
                yield from self._parser.feed(chunk)
        finally:
            self._parser.end_of_stream()
            conn.close()
            self._conn = None


class _StreamEnded(Exception):
    """The server answered 204: do not reconnect."""
