"""Reservations, ratings, listings, downloads, costs and statistics against a real server."""

from __future__ import annotations

import datetime
import os
import tempfile
import time
import unittest

from ai_image_generator import ImageGenerator, NotFound
from support import shared_server


class CurationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = shared_server()
        cls.generator = ImageGenerator(url=cls.server.url, token=cls.server.token)
        cls.a, cls.b = cls.generator.generate_custom(prompt="a walnut side table in a bright room",
                                                     parameters={"width": 96, "height": 64}, category="product",
                                                     variations=2, tags=["furniture"])

    def test_reserve_and_release_round_trip(self) -> None:
        g = self.generator
        held = g.reserve(self.a.image_id, datetime.date(2026, 11, 26), "instagram")
        self.assertEqual((held.image_id, held.day, held.channel, held.released_at), (self.a.image_id, "2026-11-26",
                                                                                     "instagram", None))
        available = {r.image_id for r in g.images(available=True, tag="furniture")}
        self.assertNotIn(self.a.image_id, available, "a held image is not offered")
        self.assertIn(self.b.image_id, available)
        released = g.release(self.a.image_id)
        self.assertEqual(released.id, held.id)
        self.assertIsNotNone(released.released_at)
        self.assertIn(self.a.image_id, {r.image_id for r in g.images(available=True, tag="furniture")})

    def test_rating_round_trip(self) -> None:
        rated = self.generator.rate(self.b.image_id, 4)
        self.assertEqual((rated.image_id, rated.rating), (self.b.image_id, 4))
        self.assertEqual(self.generator.rate(self.b.image_id, 2).rating, 2, "the latest rating counts")

    def test_listing_filters(self) -> None:
        g = self.generator
        furniture = g.images(tag="furniture", category="product")
        self.assertEqual({r.image_id for r in furniture}, {self.a.image_id, self.b.image_id})
        self.assertEqual([r.image_id for r in g.images(job=self.a.job_id)], [self.a.image_id])
        self.assertEqual(len(g.images(limit=1)), 1)
        after = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(g.images(since=after, tag="furniture"), [])
        self.assertEqual(len(g.images(since="2020-01-01T00:00:00Z", tag="furniture")), 2)

    def test_download_gives_the_stored_bytes(self) -> None:
        data = self.generator.download(self.a.image_id)
        with open(os.path.join(self.server.data, self.a.file_path), "rb") as f:
            self.assertEqual(data, f.read())
        self.assertTrue(data.startswith(b"\x89PNG"))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "table.png")
            self.assertEqual(self.generator.download(self.a.image_id, path=path), data)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), data)

    def test_download_of_a_derivative_variant(self) -> None:
        # Derivatives are rendered in the background after the job: wait for them (a bound, not a timing).
        end = time.monotonic() + 60
        while not any(d.variant == "thumbnail" for d in self.generator.image(self.a.image_id).derivatives):
            self.assertLess(time.monotonic(), end, "no thumbnail was rendered")
            time.sleep(0.2)
        record = self.generator.image(self.a.image_id)
        thumbnail = max((d for d in record.derivatives if d.variant == "thumbnail" and d.format == "jpeg"),
                        key=lambda d: d.run)
        data = self.generator.download(self.a.image_id, variant="thumbnail", format="jpeg")
        with open(os.path.join(self.server.data, thumbnail.file_path), "rb") as f:
            self.assertEqual(data, f.read())
        self.assertTrue(data.startswith(b"\xff\xd8"), "a JPEG")
        with self.assertRaises(NotFound) as caught:
            self.generator.download(self.a.image_id, variant="poster")
        self.assertIn("thumbnail/jpeg", caught.exception.message)

    def test_costs_and_stats(self) -> None:
        costs = self.generator.costs(by="category")
        self.assertEqual(costs.by, "category")
        product = next(g for g in costs.groups if g.key == "product")
        self.assertGreaterEqual(product.images, 2)
        self.assertAlmostEqual(product.total_usd, product.images * 0.01)
        self.assertEqual(product.unknown_cost_images, 0)
        feet = next(b for b in costs.budgets if b.name == "daily:feet")
        self.assertEqual(feet.limit, 0.015)
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(self.generator.costs(since=later).groups, [])

        stats = self.generator.stats(by="category")
        line = next(g for g in stats.groups if g.key == "product")
        self.assertGreaterEqual(line.succeeded, 2)
        self.assertEqual(line.images, line.succeeded)
        self.assertAlmostEqual(line.cost_per_image_usd, 0.01)
        self.assertEqual(stats.total.key, "all")
        self.assertGreaterEqual(stats.total.attempts, line.attempts)
        self.assertIsNone(stats.since)


if __name__ == "__main__":
    unittest.main()
