#!/usr/bin/env bash
# The web app's server side over 10,000 images (issue 19): release build, a throw-away data folder,
# Preview at zero latency, post-processing off (the bench renders one thumbnail itself).
#
#   Benchmarks/webapp/run.sh             (10,000 images)
#   COUNT=2000 Benchmarks/webapp/run.sh  (fewer)
#   BENCH_TMP=/dev/shm Benchmarks/webapp/run.sh (data folder on tmpfs)
#   SKIP_BUILD=1 Benchmarks/webapp/run.sh        (the release build is current)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${SKIP_BUILD:-}" ]; then  # SKIP_BUILD=1: use the release products already built
  swift build -c release --product imagegen >/dev/null
  swift build -c release --product imagegen-preview >/dev/null
fi
BIN=.build/release
WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/imagegen-webapp-bench.XXXXXX")
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/plugins" "$WORK/data"
cp "$BIN/libimagegen-preview.so" "$WORK/plugins/"
touch -d '1 minute ago' "$WORK/plugins/libimagegen-preview.so"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/config.json5" <<JSON
{ jobs: { concurrency: 64, poll_interval_ms: 1 }, imaging: { postProcessing: { automatic: false } } }
JSON
"$BIN/imagegen" serve --listen "127.0.0.1:$PORT" --config "$WORK/config.json5" --plugins "$WORK/plugins" \
  --data "$WORK/data" --quiet &
SERVER_PID=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
echo "machine: $(nproc) cores, $(uname -r); load average before: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)"
python3 -B Benchmarks/webapp/webapp_bench.py 127.0.0.1 "$PORT" "${COUNT:-10000}" "$SERVER_PID"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
