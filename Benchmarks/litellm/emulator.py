#!/usr/bin/env python3
"""The Stability emulator of the tests, tolerant of one quirk of LiteLLM's Stability client:
it sends an empty file part named "none" with every v2beta form (LiteLLM 1.108.7), which the
emulator, strict about unknown fields, would refuse with a 400. Only that part is dropped;
everything else is Tests/Emulators/stability_emulator.py as is."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Emulators"))

import stability_emulator  # noqa: E402
from emulator_common import serve  # noqa: E402


class BenchmarkStabilityHandler(stability_emulator.StabilityHandler):
    @staticmethod
    def parse_form(req):
        fields, problem = stability_emulator.StabilityHandler.parse_form(req)
        if fields is not None and fields.get("none") == b"":
            del fields["none"]
        return fields, problem


if __name__ == "__main__":
    raise SystemExit(serve(BenchmarkStabilityHandler, "Stability AI API emulator (benchmark)", "test-token-stability"))
