#!/usr/bin/env bash
# Installs what imagegen needs to build and test, only what is missing (idempotent).
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   plus what the test suite uses (PostgreSQL for the catalog tests, moto for
#                                    the S3 tests, exiftool for the AI-marking tests, wheel for the Python
#                                    client's offline install test, Chromium, its driver and Selenium for
#                                    the web app's browser tests)
set -euo pipefail

# libpq-dev builds the PostgreSQL catalog (CPostgres); --test adds the server the catalog tests start.
# python3 and python3-venv run the output nudity check's detector (on by default).
packages=(pkg-config libsqlite3-dev libvips-dev libvips-tools libsodium-dev libpng-dev libpq-dev python3 python3-venv)
[ "${1:-}" = "--test" ] && packages+=(postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "swift is not on PATH: install the Swift 6 toolchain (https://swift.org/install) and retry" >&2
  exit 1
fi

# The output nudity check (docs/compliance.md §3, on by default): NudeNet's ONNX detector ships inside the
# wheel and runs offline through onnxruntime (PyPI only); share/classifiers/nudenet-detect.py calls it. Into
# PATH's python3 when pip may install there; otherwise (Debian's python3 is externally managed, PEP 668) into
# a venv of its own, /usr/local/lib/imagegen/venv, which the host uses when output_check.python is unset.
detector_venv=/usr/local/lib/imagegen/venv
if ! python3 -c "import nudenet" >/dev/null 2>&1 && ! "$detector_venv/bin/python3" -c "import nudenet" >/dev/null 2>&1; then
  echo "installing nudenet (offline nudity detector, model inside the wheel)"
  if ! python3 -m pip install -q "nudenet==3.4.2" >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "  pip may not install into $(command -v python3): into the venv $detector_venv instead"
    $SUDO mkdir -p "$(dirname "$detector_venv")"
    $SUDO python3 -m venv "$detector_venv"
    $SUDO "$detector_venv/bin/python3" -m pip install -q "nudenet==3.4.2" >/dev/null
  fi
fi
python3 -c "import nudenet, onnxruntime" >/dev/null 2>&1 || "$detector_venv/bin/python3" -c "import nudenet, onnxruntime" >/dev/null 2>&1 || {
  echo "the nudity detector (nudenet==3.4.2) did not install: generated images would be quarantined (output_check_unavailable)" >&2
  exit 1; }

# Content Credentials (docs/compliance.md §1, labelling.c2pa): the C2PA C library ships inside the
# c2pa-python wheel (c2pa/libs/libc2pa_c.so); the host dlopens it from a fixed place, linked here.
# The Python package is also the tests' independent manifest reader.
c2pa_link=/usr/local/lib/imagegen/libc2pa_c.so
if command -v python3 >/dev/null 2>&1; then
  if ! python3 -c "import c2pa" >/dev/null 2>&1; then
    echo "installing c2pa-python (the C2PA C library for signed manifests)"
    python3 -m pip install -q "c2pa-python==0.38.1" >/dev/null
  fi
  c2pa_lib=$(python3 -c 'import c2pa, os; print(os.path.join(os.path.dirname(c2pa.__file__), "libs", "libc2pa_c.so"))')
  if [ -f "$c2pa_lib" ] && [ "$(readlink "$c2pa_link" 2>/dev/null)" != "$c2pa_lib" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO mkdir -p "$(dirname "$c2pa_link")"
    $SUDO ln -sfn "$c2pa_lib" "$c2pa_link"
    echo "linked $c2pa_link -> $c2pa_lib"
  fi
fi

if [ "${1:-}" = "--test" ]; then
  browser=()
  for p in chromium chromium-driver; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || browser+=("$p")
  done
  if [ ${#browser[@]} -gt 0 ]; then
    echo "installing for the web app's browser tests: ${browser[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${browser[@]}" >/dev/null
  fi
  command -v python3 >/dev/null || { echo "python3 is needed by the test emulators" >&2; exit 1; }
  # The output check's tests run the real detector and fail (never skip) without it; the install above
  # stops when it is missing.
  if ! python3 -c "import moto.server, flask" >/dev/null 2>&1; then
    echo "installing moto[server] for the S3 tests"
    python3 -m pip install -q "moto[server]" >/dev/null
  fi
  if ! command -v exiftool >/dev/null 2>&1; then
    echo "installing exiftool for the AI-marking tests (an independent XMP reader)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libimage-exiftool-perl >/dev/null
  fi
  if ! python3 -c "import setuptools, wheel" >/dev/null 2>&1; then
    echo "installing setuptools and wheel for the Python client's install test"
    python3 -m pip install -q setuptools wheel >/dev/null
  fi
  if ! python3 -c "import selenium" >/dev/null 2>&1; then
    echo "installing selenium for the web app's browser tests"
    python3 -m pip install -q selenium >/dev/null
  fi
fi
