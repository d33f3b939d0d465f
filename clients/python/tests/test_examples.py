"""The product's two examples, as written, against a real ``imagegen serve``."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import unittest

from ai_image_generator import ImageGenerator, ImageRecord
from support import shared_server


class ExamplesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = shared_server()
        cls.generator = ImageGenerator(url=cls.server.url, token=cls.server.token)

    def assert_stored_as_served(self, record: ImageRecord) -> None:
        """The file is on disk with the recorded hash, and the record is what GET /v1/images/{id} says."""
        path = os.path.join(self.server.data, record.file_path)
        self.assertTrue(os.path.isfile(path), path)
        with open(path, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), record.content_sha256)
        served = self.server.get(f"/v1/images/{record.image_id}")
        for name in ("image_id", "prompt", "negative_prompt", "model", "parameters", "category", "tags", "file_path",
                     "status", "metadata", "content_sha256", "job_id"):
            self.assertEqual(record.raw[name], served[name], name)
        fetched = self.generator.image(record.image_id)
        self.assertEqual(record, dataclasses.replace(fetched, derivatives=[]), "the same record through image()")

    def test_generate_from_a_template(self) -> None:
        generator = self.generator
        image = generator.generate(category="lingerie", template="lingerie_black_lace", variations=3)

        self.assertIsInstance(image, list, "three variations: a list")
        self.assertEqual(len(image), 3)
        self.assertEqual(len({r.image_id for r in image}), 3)
        for record in image:
            self.assertEqual(record.category, "lingerie")
            self.assertEqual(record.status, "completed")
            self.assertEqual(record.extra.get("template"), "lingerie_black_lace")
            self.assertIn("lace", record.tags)
            self.assertIn("adult woman", record.prompt, "the prompt is readable, not the envelope kept at rest")
            self.assertEqual(record.metadata.api_used, "preview/preview-1")
            self.assertAlmostEqual(record.metadata.cost, 0.01)
            self.assertTrue(record.metadata.generated_at.endswith("Z"))
            self.assertGreaterEqual(record.metadata.processing_time, 0)
            self.assert_stored_as_served(record)

    def test_generate_custom(self) -> None:
        generator = self.generator
        image = generator.generate_custom(prompt="a ceramic teapot on a wooden table, soft window light",
                                          negative_prompt="blurry, watermark",
                                          parameters={"width": 1024, "height": 1024, "steps": 50, "guidance_scale": 7.5})

        self.assertIsInstance(image, ImageRecord, "one variation: one record")
        self.assertEqual(image.prompt, "a ceramic teapot on a wooden table, soft window light")
        self.assertEqual(image.negative_prompt, "blurry, watermark")
        self.assertEqual(image.model, "preview")
        for name, value in {"width": 1024, "height": 1024, "steps": 50, "guidance_scale": 7.5}.items():
            self.assertEqual(image.parameters[name], value, name)
        self.assertIn("seed", image.parameters, "the server records the seed it chose")
        self.assert_stored_as_served(image)

    def test_generate_custom_with_several_variations_gives_a_list(self) -> None:
        images = self.generator.generate_custom(prompt="a brass compass on a map", parameters={"width": 64, "height": 64},
                                                category="product", variations=2, tags=["desk"])
        self.assertIsInstance(images, list)
        self.assertEqual([r.category for r in images], ["product", "product"])
        self.assertTrue(all("desk" in r.tags for r in images))
        self.assertEqual(len({r.parameters["seed"] for r in images}), 2, "each variation has its own seed")


if __name__ == "__main__":
    unittest.main()
