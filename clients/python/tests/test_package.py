"""``pip install ./clients/python`` gives an importable, typed package with no dependencies.

Offline: the package is built with the setuptools already installed (``--no-build-isolation``),
from a copy, so the source tree gets no build leftovers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

PACKAGE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def can_build_offline() -> bool:
    """setuptools >= 61 (pyproject metadata) and a bdist_wheel (the wheel package, or setuptools >= 70.1)."""
    try:
        import setuptools
    except ImportError:
        return False
    version = tuple(int(x) for x in setuptools.__version__.split(".")[:2] if x.isdigit())
    if version < (61, 0):
        return False
    try:
        import wheel  # noqa: F401
    except ImportError:
        return version >= (70, 1)
    return True


class PackageTest(unittest.TestCase):
    @unittest.skipUnless(can_build_offline(), "needs setuptools >= 61 and wheel to build offline "
                                              "(scripts/install-deps.sh --test installs them)")
    def test_pip_installs_the_package(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "src")
            shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info", "build"))
            target = os.path.join(tmp, "site")
            pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps",
                                  "--no-index", "--target", target, source], capture_output=True, text=True)
            self.assertEqual(pip.returncode, 0, pip.stderr)
            self.assertTrue(os.path.exists(os.path.join(target, "ai_image_generator", "py.typed")))
            check = subprocess.run([sys.executable, "-c", "import ai_image_generator as a; "
                                    "print(a.__file__); print(a.ImageGenerator().url)"],
                                   capture_output=True, text=True,
                                   env={"PYTHONPATH": target, "PATH": os.environ.get("PATH", "")})
            self.assertEqual(check.returncode, 0, check.stderr)
            installed, url = check.stdout.split()
            self.assertTrue(installed.startswith(target), installed)
            self.assertEqual(url, "http://127.0.0.1:8080", "the serve default when IMAGEGEN_URL is unset")


if __name__ == "__main__":
    unittest.main()
