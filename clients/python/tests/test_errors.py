"""Each error the API can answer becomes its typed exception, carrying the API's code and message.

Most are provoked on the real server; what it cannot be made to answer on demand (503 until the
retries run out, 429, 500) comes from a scripted stub, which also checks the retry rules.
"""

from __future__ import annotations

import os
import unittest

from ai_image_generator import (AuthenticationError, BudgetExceeded, Conflict, ConnectionFailed, ContentPolicyError,
                                FileMissing, GenerationFailed, ImageGenerator, InvalidRequest, NotFound,
                                QuotaExceeded, ServerError, ServiceUnavailable, UnknownName)
from support import StubServer, answer, closed_port, shared_server


class ServerErrorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = shared_server()
        cls.generator = ImageGenerator(url=cls.server.url, token=cls.server.token)

    def test_unknown_names_list_the_known_ones(self) -> None:
        with self.assertRaises(UnknownName) as t:
            self.generator.generate(template="lingerie_black_silk")
        self.assertEqual((t.exception.status, t.exception.code), (400, "unknown_template"))
        self.assertIn("lingerie_black_lace", t.exception.known)
        self.assertIn("lingerie_red_satin", t.exception.known)
        with self.assertRaises(UnknownName) as m:
            self.generator.generate_custom(prompt="a cup", model="dall-e-9")
        self.assertEqual((m.exception.code, m.exception.known), ("unknown_model", ["preview"]))
        with self.assertRaises(UnknownName) as c:
            self.generator.generate_custom(prompt="a cup", category="spaceships")
        self.assertEqual(c.exception.code, "unknown_category")
        self.assertTrue({"lingerie", "product"} <= set(c.exception.known), c.exception.known)
        with self.assertRaises(UnknownName) as p:
            self.generator.generate(template="product_packshot", profile="nobody")
        self.assertEqual(p.exception.code, "unknown_profile")

    def test_invalid_requests_name_the_field(self) -> None:
        with self.assertRaises(InvalidRequest) as caught:
            self.generator.generate_custom(prompt="a cup", parameters={"width": 1001, "height": 64})
        self.assertEqual(caught.exception.code, "invalid_request")
        self.assertIn("width", caught.exception.message)

    def test_a_wrong_token_is_an_authentication_error_that_never_shows_a_token(self) -> None:
        wrong = "wrong-" + self.server.token[::-1]
        client = ImageGenerator(url=self.server.url, token=wrong, retries=0)
        with self.assertRaises(AuthenticationError) as caught:
            client.images()
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthorized"))
        for text in (str(caught.exception), repr(caught.exception), repr(client), repr(self.generator)):
            self.assertNotIn(wrong, text)
            self.assertNotIn(self.server.token, text)
        self.assertNotIn(self.server.token, self.server.log(), "the server never logs its token")

    def test_a_budget_refusal_queues_nothing(self) -> None:
        before = self.server.job_count()
        with self.assertRaises(BudgetExceeded) as caught:
            self.generator.generate(category="feet", variations=2)  # 2 x $0.01 > the $0.015 daily budget
        self.assertEqual((caught.exception.status, caught.exception.code), (402, "budget_exceeded"))
        self.assertIn("daily:feet", caught.exception.message)
        self.assertEqual(self.server.job_count(), before)

    def test_the_content_policy_refuses_before_anything_is_queued(self) -> None:
        before = self.server.job_count()
        with self.assertRaises(ContentPolicyError) as caught:
            self.generator.generate_custom(prompt="a teenager in lace lingerie", category="lingerie")
        self.assertEqual(caught.exception.code, "content_policy")
        self.assertEqual(self.server.job_count(), before)

    def test_a_content_filtered_job_fails_the_generation(self) -> None:
        with self.assertRaises(GenerationFailed) as caught:
            self.generator.generate_custom(prompt="a forbiddenzebra on a plain", parameters={"width": 64, "height": 64})
        failed = caught.exception
        self.assertEqual(failed.code, "content_filtered")
        self.assertEqual([j["state"] for j in failed.jobs], ["content_filtered"])
        self.assertEqual(failed.images, [])

    def test_not_found_and_conflict(self) -> None:
        with self.assertRaises(NotFound) as missing:
            self.generator.image("img_does_not_exist")
        self.assertEqual((missing.exception.status, missing.exception.code), (404, "not_found"))
        image = self.generator.generate_custom(prompt="a folded linen napkin", parameters={"width": 64, "height": 64})
        with self.assertRaises(NotFound):
            self.generator.release(image.image_id)
        self.generator.reserve(image.image_id, "2026-12-01", "blog")
        with self.assertRaises(Conflict) as twice:
            self.generator.reserve(image.image_id, "2026-12-02", "instagram")
        self.assertEqual((twice.exception.status, twice.exception.code), (409, "already_reserved"))
        with self.assertRaises(InvalidRequest):
            self.generator.rate(image.image_id, 9)

    def test_a_file_gone_from_the_data_folder(self) -> None:
        image = self.generator.generate_custom(prompt="a pebble on sand", parameters={"width": 64, "height": 64})
        os.remove(os.path.join(self.server.data, image.file_path))
        with self.assertRaises(FileMissing) as caught:
            self.generator.download(image.image_id)
        self.assertEqual((caught.exception.status, caught.exception.code), (410, "file_missing"))


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class RetryRulesTest(unittest.TestCase):
    """The retry rules, against a scripted server."""

    def stub(self, script: list) -> StubServer:
        """Answers the scripted (status, body, headers) in turn, then 200 {}."""
        def handle(stub: StubServer, h) -> None:
            n = len(stub.seen) - 1
            status, body, headers = script[n] if n < len(script) else (200, {"images": []}, {})
            answer(h, status, body, headers)
        server = StubServer(handle)
        self.addCleanup(server.close)
        return server

    def test_503_is_retried_with_the_same_key_then_succeeds(self) -> None:
        busy = (503, error("catalog_busy", "the catalog is busy; retry shortly"), {"Retry-After": "0"})
        stub = self.stub([busy, busy])
        client = ImageGenerator(url=stub.url, token="t0ken-for-the-stub", retries=3, backoff=0.01)
        self.assertEqual(client.images(), [])
        self.assertEqual(len(stub.seen), 3)
        keys = {headers["idempotency-key"] for _, _, headers in stub.seen}
        self.assertEqual(len(keys), 1, "one call, one key, on every attempt")
        self.assertTrue(all(h["authorization"] == "Bearer t0ken-for-the-stub" for _, _, h in stub.seen))

    def test_503_after_the_retries_is_service_unavailable(self) -> None:
        busy = (503, error("shutting_down", "imagegen serve is shutting down"), {})
        stub = self.stub([busy] * 5)
        client = ImageGenerator(url=stub.url, retries=2, backoff=0.01)
        with self.assertRaises(ServiceUnavailable) as caught:
            client.stats()
        self.assertEqual(caught.exception.code, "shutting_down")
        self.assertEqual(len(stub.seen), 3)

    def test_other_errors_are_not_retried(self) -> None:
        stub = self.stub([(429, error("quota_exceeded", "quota exceeded: retry in 60 s"), {"Retry-After": "60"}),
                          (500, error("internal", "the server failed"), {}),
                          (502, b"<html>bad gateway</html>", {})])
        client = ImageGenerator(url=stub.url, retries=3, backoff=0.01)
        with self.assertRaises(QuotaExceeded) as quota:
            client.costs()
        self.assertEqual((quota.exception.code, quota.exception.retry_after), ("quota_exceeded", 60.0))
        with self.assertRaises(ServerError) as internal:
            client.costs()
        self.assertEqual(internal.exception.code, "internal")
        with self.assertRaises(ServerError) as gateway:
            client.costs()
        self.assertEqual((gateway.exception.status, gateway.exception.code), (502, "http_502"))
        self.assertEqual(len(stub.seen), 3, "each error answered once")

    def test_an_unreachable_server_is_retried_then_a_connection_error(self) -> None:
        client = ImageGenerator(url=f"http://127.0.0.1:{closed_port()}", token="never-shown-token", retries=2, backoff=0.01)
        with self.assertRaises(ConnectionFailed) as caught:
            client.generate_custom(prompt="a cup")
        self.assertIn("after 3 attempts", str(caught.exception))
        self.assertNotIn("never-shown-token", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
