"""The examples of docs/python-client.md marked ``<!-- tested`` run as written against a real server
(configured only through the environment, as a user's would be)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unittest

from support import REPO, shared_server

DOC = os.path.join(REPO, "docs", "python-client.md")
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src"))


def tested_blocks() -> list:
    with open(DOC) as f:
        text = f.read()
    return re.findall(r"<!-- tested[^>]*-->\s*```python\n(.*?)```", text, re.DOTALL)


class DocsTest(unittest.TestCase):
    def test_the_documented_examples_run(self) -> None:
        blocks = tested_blocks()
        self.assertGreaterEqual(len(blocks), 1, "the two examples are marked as tested")
        server = shared_server()
        env = dict(os.environ, IMAGEGEN_URL=server.url, IMAGEGEN_TOKEN=server.token, PYTHONPATH=SOURCE)
        env.pop("IMAGEGEN_API_TOKEN", None)
        for block in blocks:
            run = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, env=env, timeout=300)
            self.assertEqual(run.returncode, 0, run.stderr)
            image_id, file_path, cost = run.stdout.split()
            self.assertTrue(os.path.isfile(os.path.join(server.data, file_path)))
            self.assertEqual(server.get(f"/v1/images/{image_id}")["file_path"], file_path)
            self.assertEqual(float(cost), 0.01)


if __name__ == "__main__":
    unittest.main()
