#!/usr/bin/env bash
# Imaging benchmark: the host's pipeline (Swift + libvips, release build) against the same
# steps in Pillow and on the vips command line, on one generated 1024 x 1024 PNG.
#
#   Benchmarks/imaging/run.sh            # N=20 latency iterations, 60 images for throughput
#   N=40 IMAGES=120 Benchmarks/imaging/run.sh
#
# Needs: swift, libvips-dev + libvips-tools (vips CLI), python3 with venv, network for
# `pip install pillow` (into a throw-away venv in a temp dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-20}
IMAGES=${IMAGES:-60}
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

RESULTS="$WORK/results.jsonl"
run() { echo "== $*" >&2; "$@" | tee -a "$RESULTS"; }

# Latency: one process per implementation, N timed runs after a warm-up, peak RSS at the end.
run "$BIN" latency "$INPUT" "$N"
run "$BIN" latency "$INPUT" "$N" --vips-threads 1 --serial-encoding
run "$PY" "$HERE/reference_pipelines.py" pillow-latency "$INPUT" "$N"
run "$PY" "$HERE/reference_pipelines.py" vips-cli-latency "$INPUT" "$(( N < 10 ? N : 10 ))" "$SHM"
# Where the time goes.
run "$BIN" breakdown "$INPUT" "$N"
# Throughput with two workers.
run "$BIN" throughput "$INPUT" "$IMAGES" 2 --vips-threads 1 --serial-encoding
run "$BIN" throughput "$INPUT" "$IMAGES" 2
run "$PY" "$HERE/reference_pipelines.py" pillow-throughput "$INPUT" "$IMAGES" 2

echo >&2
"$PY" - "$RESULTS" <<'PYEOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
lat = {(r["impl"], r.get("vips_threads", ""), r.get("parallel_encoding", "")): r for r in rows if r["mode"] == "latency"}
pillow = next(r for r in rows if r["impl"] == "python+pillow" and r["mode"] == "latency")
print("| run | median ms | min–max ms | peak RSS MiB | vs Pillow |")
print("|---|---|---|---|---|")
for r in rows:
    if r["mode"] != "latency":
        continue
    name = r["impl"]
    if r["impl"] == "swift+libvips":
        name += f" (vips threads {r['vips_threads'] or 'auto'}, parallel encoding {'on' if r['parallel_encoding'] else 'off'})"
    rss = r.get("peak_rss_mib", r.get("peak_rss_mib_largest_step"))
    print(f"| {name} | {r['median_ms']:.1f} | {r['min_ms']:.1f}–{r['max_ms']:.1f} | {rss:.1f} | {r['median_ms'] / pillow['median_ms']:.2f}× |")
print()
print("| throughput run | images | seconds | images/s | peak RSS MiB |")
print("|---|---|---|---|---|")
for r in rows:
    if r["mode"] != "throughput":
        continue
    name = r["impl"] + f", {r['workers']} workers"
    if r["impl"] == "swift+libvips":
        name += f" (vips threads {r['vips_threads'] or 'auto'}, parallel encoding {'on' if r['parallel_encoding'] else 'off'})"
    rss = r.get("peak_rss_mib", r.get("peak_rss_mib_per_worker"))
    print(f"| {name} | {r['images']} | {r['seconds']:.2f} | {r['images_per_s']:.1f} | {rss:.1f} |")
print()
b = next(r for r in rows if r["mode"] == "breakdown")
print("breakdown (medians, ms): " + ", ".join(f"{k[:-3]} {v:.1f}" for k, v in sorted(b.items()) if k.endswith("_ms")))
PYEOF
