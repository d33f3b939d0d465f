#!/usr/bin/env bash
# Imaging benchmark: the host's pipeline (Swift + libvips, release build) against the same
# steps in Pillow and on the vips command line, on one generated 1024 x 1024 PNG.
#
#   Benchmarks/imaging/run.sh                     # 3 rounds x 10 latency runs, 30 images per throughput run
#   ROUNDS=5 N=10 IMAGES=40 RESULTS_OUT=/tmp/imaging.jsonl Benchmarks/imaging/run.sh
#   python3 Benchmarks/imaging/summarize.py /tmp/imaging.jsonl 2     # tables again from saved results
#
# Implementations take turns round by round, so that load from other processes on a shared
# machine falls on all of them alike; the summary gives the median of the per-round medians,
# and CPU time per image, which load barely changes.
# Needs: swift, libvips-dev + libvips-tools (vips CLI), python3 with venv, network for
# `pip install pillow` (into a throw-away venv in a temp dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
N=${N:-10}
IMAGES=${IMAGES:-30}
WORK=$(mktemp -d)
SHM=$(mktemp -d -p /dev/shm imaging-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$WORK" "$SHM"' EXIT
HERE=Benchmarks/imaging

echo "== build (release)" >&2
swift build -c release --product ImagingBenchmark >&2
BIN="$(swift build -c release --show-bin-path)/ImagingBenchmark"

echo "== input: 1024x1024 RGB PNG (Perlin colour fields, fine texture, two flat shapes, grain; fixed seeds)" >&2
v() { vips "$@"; }
v perlin "$WORK/r.v" 1024 1024 --cell-size 192 --seed 1
v perlin "$WORK/g.v" 1024 1024 --cell-size 128 --seed 2
v perlin "$WORK/b.v" 1024 1024 --cell-size 256 --seed 3
v bandjoin "$WORK/r.v $WORK/g.v $WORK/b.v" "$WORK/rgb.v"
v linear "$WORK/rgb.v" "$WORK/base.v" 170 120
v perlin "$WORK/detail.v" 1024 1024 --cell-size 12 --seed 5
v linear "$WORK/detail.v" "$WORK/detail40.v" 40 0
v add "$WORK/base.v" "$WORK/detail40.v" "$WORK/textured.v"
v gaussnoise "$WORK/grain.v" 1024 1024 --mean 0 --sigma 1.5 --seed 4
v add "$WORK/textured.v" "$WORK/grain.v" "$WORK/grainy.v"
v cast "$WORK/grainy.v" "$WORK/u8.v" uchar
v copy "$WORK/u8.v" "$WORK/srgb.v" --interpretation srgb
v draw_rect "$WORK/srgb.v" "230 225 215" 100 600 300 200 --fill
v draw_circle "$WORK/srgb.v" "25 30 45" 700 300 150 --fill
v pngsave "$WORK/srgb.v" "$WORK/input.png" --compression 6 --strip
INPUT="$WORK/input.png"
vipsheader "$INPUT" >&2; ls -l "$INPUT" >&2

echo "== pillow venv" >&2
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check pillow >&2
PY="$WORK/venv/bin/python"
REF="$HERE/reference_pipelines.py"

RESULTS="$WORK/results.jsonl"
run() { echo "== $*" >&2; "$@" | tee -a "$RESULTS" >&2; }
load() { printf '{"mode": "load", "when": "%s", "loadavg": "%s"}\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS" >&2; }

load start
for round in $(seq "$ROUNDS"); do
  echo "== round $round/$ROUNDS" >&2
  # Latency: one process per run, N timed runs after a warm-up, peak RSS at the end.
  # The host's defaults: vips threads auto, parallel encoding, malloc tuning, WebP effort 2.
  run "$BIN" latency "$INPUT" "$N"
  run "$BIN" latency "$INPUT" "$N" --no-malloc-tuning
  run "$BIN" latency "$INPUT" "$N" --vips-threads 1 --serial-encoding
  run "$PY" "$REF" pillow-latency "$INPUT" "$N" 2
  # WebP effort (libwebp method) 3 and 4 on both sides; Pillow's default is method 4.
  for effort in 3 4; do
    run "$BIN" latency "$INPUT" "$N" --webp-effort $effort
    run "$PY" "$REF" pillow-latency "$INPUT" "$N" $effort
  done
  run "$PY" "$REF" vips-cli-latency "$INPUT" 3 "$SHM"
  # Throughput with two workers on the machine's cores, each with 1 vips thread and serial encoding.
  for effort in 2 3 4; do
    run "$BIN" throughput "$INPUT" "$IMAGES" 2 --vips-threads 1 --serial-encoding --webp-effort $effort
  done
  run "$PY" "$REF" pillow-throughput "$INPUT" "$IMAGES" 2 2
  run "$PY" "$REF" pillow-throughput "$INPUT" "$IMAGES" 2 4
done
# Where the time goes (CPU per step).
run "$BIN" breakdown "$INPUT" "$N"
load end

echo >&2
cp "$RESULTS" "${RESULTS_OUT:-/dev/null}" 2>/dev/null || true
python3 "$HERE/summarize.py" "$RESULTS" "$(nproc)"
