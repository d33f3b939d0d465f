"""The event-stream reader: the SSE parsing rules, reconnection with Last-Event-ID against a small
SSE server, and what a server without the stream (today's ``imagegen serve``) gives."""

from __future__ import annotations

import threading
import time
import unittest

from ai_image_generator import Event, EventParser, EventStreamUnavailable, ImageGenerator
from support import StubServer, shared_server


def parse(*chunks: bytes) -> list:
    parser = EventParser()
    events = []
    for chunk in chunks:
        events += parser.feed(chunk)
    return events


class ParserTest(unittest.TestCase):
    def test_fields_and_dispatch(self) -> None:
        events = parse(b"id: 1\nevent: job.finished\ndata: {\"job\": \"a\"}\n\n"
                       b"data: first\ndata: second\n\n")
        self.assertEqual(events, [Event("job.finished", '{"job": "a"}', "1"), Event("message", "first\nsecond", "1")])
        self.assertEqual(events[0].json(), {"job": "a"})

    def test_line_endings_split_anywhere(self) -> None:
        text = b"\xef\xbb\xbfid: 7\r\ndata: a\r\rdata:b\n\r\ndata: c\r\n\r\n"
        whole = parse(text)
        self.assertEqual(whole, [Event("message", "a", "7"), Event("message", "b", "7"), Event("message", "c", "7")])
        self.assertEqual(parse(*[text[i:i + 1] for i in range(len(text))]), whole, "byte by byte, CR LF split")

    def test_comments_colons_and_odd_fields(self) -> None:
        events = parse(b": keep-alive\n"
                       b"data\n\n"                    # a field without a colon: empty value
                       b"data:  two spaces\n\n"       # only one space is dropped
                       b"data: x:y\nfoo: bar\n\n")    # unknown field ignored
        self.assertEqual([e.data for e in events], ["", " two spaces", "x:y"])

    def test_ids_and_retry(self) -> None:
        parser = EventParser(last_event_id="5")
        self.assertEqual(parser.feed(b"id: 6\x00\ndata: x\n\n")[0].id, "5", "an id with NUL is ignored")
        self.assertEqual(parser.feed(b"id\ndata: y\n\n")[0].id, None, "an empty id resets it")
        parser.feed(b"retry: 1500\n\nretry: soon\n\n")
        self.assertEqual(parser.retry_ms, 1500, "a retry that is not digits is ignored")
        self.assertEqual(parser.feed(b"id: 9\n\n"), [], "no data, no event")
        self.assertEqual(parser.last_event_id, "9", "but the id counts")

    def test_an_event_cut_off_by_the_end_of_the_stream_is_dropped(self) -> None:
        parser = EventParser()
        self.assertEqual(parser.feed(b"id: 1\ndata: whole\n\nid: 2\ndata: cut"), [Event("message", "whole", "1")])
        parser.end_of_stream()
        self.assertEqual(parser.feed(b"\n\n"), [])
        self.assertEqual(parser.last_event_id, "1", "the cut-off event's id does not count")


class ReconnectTest(unittest.TestCase):
    def test_reconnects_with_last_event_id_until_204(self) -> None:
        # Connection 1: sets retry, sends events 1 and 2, starts 3 and drops. Connection 2 must
        # resume after 2: sends 3 and ends. Connection 3: 204, the end of the stream.
        def handle(stub: StubServer, h) -> None:
            n = len(stub.seen)
            if n == 3:
                h.send_response(204)
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.send_header("Connection", "close")
            h.end_headers()
            if n == 1:
                h.wfile.write(b"retry: 10\n: hello\n\nid: 1\nevent: job.queued\ndata: {\"n\":1}\n\n"
                              b"id: 2\nevent: job.finished\ndata: {\"n\":2}\n\nid: 3\ndata: {\"n\":")
            else:
                resumed = h.headers.get("Last-Event-ID")
                h.wfile.write(f"id: 3\nevent: resumed\ndata: {resumed}\n\n".encode())
            h.wfile.flush()
            h.close_connection = True

        stub = StubServer(handle)
        self.addCleanup(stub.close)
        client = ImageGenerator(url=stub.url, token="stream-token")
        with client.events() as stream:
            events = list(stream)
        self.assertEqual([(e.id, e.event) for e in events], [("1", "job.queued"), ("2", "job.finished"), ("3", "resumed")])
        self.assertEqual(events[2].data, "2", "the second connection resumed after event 2")
        self.assertEqual(stream.last_event_id, "3")
        self.assertEqual(stream.retry_ms, 10)
        self.assertEqual(len(stub.seen), 3)
        first_headers = stub.seen[0][2]
        self.assertEqual(first_headers["accept"], "text/event-stream")
        self.assertNotIn("last-event-id", first_headers)
        self.assertEqual(first_headers["authorization"], "Bearer stream-token")

    def test_close_inside_the_loop_ends_the_iteration(self) -> None:
        opened = threading.Event()

        def handle(stub: StubServer, h) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.end_headers()
            h.wfile.write(b"data: one\n\n")
            h.wfile.flush()
            opened.wait(10)
            h.close_connection = True

        stub = StubServer(handle)
        self.addCleanup(stub.close)
        stream = ImageGenerator(url=stub.url).events()
        seen = []
        for event in stream:
            seen.append(event.data)
            stream.close()
        opened.set()
        self.assertEqual(seen, ["one"])

    def test_the_servers_stream_carries_a_generations_events(self) -> None:
        server = shared_server()
        generator = ImageGenerator(url=server.url, token=server.token)

        def generate() -> None:
            time.sleep(1.0)
            generator.generate_custom(prompt="an events teapot", parameters={"width": 64, "height": 64})

        worker = threading.Thread(target=generate)
        worker.start()
        seen = []
        with generator.events() as stream:
            for event in stream:
                seen.append(event.event)
                if event.event == "image.stored":
                    break
                self.assertLess(len(seen), 50, f"no image.stored among {seen}")
        worker.join(timeout=60)
        self.assertIn("job.queued", seen)
        self.assertEqual(seen[-1], "image.stored")
        self.assertIsNotNone(stream.last_event_id)


if __name__ == "__main__":
    unittest.main()
