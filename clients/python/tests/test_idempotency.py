"""Retries never queue (or pay for) a batch twice: the Idempotency-Key against a real server."""

from __future__ import annotations

import unittest

from ai_image_generator import ConnectionFailed, GenerationTimeout, ImageGenerator
from support import DropProxy, shared_server


class IdempotencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = shared_server()
        cls.direct = ImageGenerator(url=cls.server.url, token=cls.server.token)

    def batch_jobs(self, batch_of_job: str) -> list:
        batch = self.server.get(f"/v1/jobs/{batch_of_job}")["batch_id"]
        return self.server.get(f"/v1/jobs?batch={batch}&limit=1000")["jobs"]

    def test_a_generation_retried_after_a_dropped_answer_is_queued_once(self) -> None:
        proxy = DropProxy(self.server.port, drop=1)
        self.addCleanup(proxy.close)
        client = ImageGenerator(url=proxy.url, token=self.server.token, backoff=0.05)
        jobs_before = self.server.job_count()

        images = client.generate_custom(prompt="a paper lantern on a windowsill", parameters={"width": 64, "height": 64},
                                        category="product", variations=2)

        self.assertEqual(len(proxy.requests), 2, "the first answer was dropped, the retry went through")
        first, retry = proxy.headers_of(0), proxy.headers_of(1)
        self.assertTrue(proxy.requests[0].startswith(b"POST /v1/generations "))
        self.assertTrue(first["idempotency-key"])
        self.assertEqual(first["idempotency-key"], retry["idempotency-key"])
        self.assertEqual(len(images), 2)
        self.assertEqual(self.server.job_count(), jobs_before + 2, "exactly one batch of two jobs on the server")
        self.assertEqual(sorted(j["id"] for j in self.batch_jobs(images[0].job_id)), sorted(r.job_id for r in images))
        lanterns = [i for i in self.server.get("/v1/images?limit=1000")["images"] if "paper lantern" in i["prompt"]]
        self.assertEqual(len(lanterns), 2, "two images stored, not four")

    def test_a_call_the_server_may_have_done_is_not_repeated_blindly(self) -> None:
        image = self.direct.generate_custom(prompt="a glass of water", parameters={"width": 64, "height": 64})
        proxy = DropProxy(self.server.port, drop=1)
        self.addCleanup(proxy.close)
        client = ImageGenerator(url=proxy.url, token=self.server.token, backoff=0.05)
        with self.assertRaises(ConnectionFailed) as caught:
            client.reserve(image.image_id, "2026-12-24", "instagram")
        self.assertIn("check before repeating", str(caught.exception))
        self.assertEqual(len(proxy.requests), 1, "a reservation is not resent after its answer was lost")
        self.assertEqual(self.direct.release(image.image_id).channel, "instagram", "the server did reserve it")

    def test_a_timed_out_generation_is_resumed_with_its_key(self) -> None:
        jobs_before = self.server.job_count()
        with self.assertRaises(GenerationTimeout) as caught:
            self.direct.generate_custom(prompt="a stack of old books", parameters={"width": 64, "height": 64},
                                        variations=2, timeout=0)
        timeout = caught.exception
        self.assertEqual(len(timeout.job_ids), 2)
        self.assertIn("idempotency_key", str(timeout))

        images = self.direct.generate_custom(prompt="a stack of old books", parameters={"width": 64, "height": 64},
                                             variations=2, idempotency_key=timeout.idempotency_key)
        self.assertEqual(sorted(r.job_id for r in images), sorted(timeout.job_ids), "the same batch, waited for")
        self.assertEqual(self.server.job_count(), jobs_before + 2)


if __name__ == "__main__":
    unittest.main()
