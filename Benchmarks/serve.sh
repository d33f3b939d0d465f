#!/usr/bin/env bash
# Benchmarks `imagegen serve` through its HTTP API on loopback, release build, Preview at zero
# latency:
#   - requests/s and p50/p99 latency for GET /v1/models and POST /v1/generations with wait,
#     at 1, 16 and 64 connections (wrk, 10 s each);
#   - RSS idle and under load;
#   - the time from a new .so appearing in the plugins folder to its first routed request;
#   - failed requests (and failed jobs) while the serving plugin is swapped 6 times under load.
#
#   Benchmarks/serve.sh            (builds the release products first)
#   DURATION=5 Benchmarks/serve.sh (shorter runs)
#   BENCH_TMP=/dev/shm Benchmarks/serve.sh (data folder on tmpfs: without the disk's fsync cost)
#   BENCH_OUTPUT_CHECK=off Benchmarks/serve.sh (without the nudity detector, which caps generations
#                                               at about 25 images/s per core: the host's own figures)
#
# wrk is installed from apt when missing. Results go to stdout; Benchmarks/README.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-10}

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

swift build -c release --product imagegen >/dev/null
swift build -c release --product imagegen-preview >/dev/null
BIN=$(swift build -c release --show-bin-path)

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/imagegen-serve-bench.XXXXXX")
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/plugins" "$WORK/data" "$WORK/builds"
cp "$BIN/libimagegen-preview.so" "$WORK/plugins/"
touch -d '1 minute ago' "$WORK/plugins/libimagegen-preview.so"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
cat > "$WORK/config.json5" <<EOF
{ jobs: { concurrency: 64, poll_interval_ms: 1 },
  providers: { "preview-b": { priority: 10 } },
  server: { watch_interval_ms: 250, settle_ms: 500 }$([ "${BENCH_OUTPUT_CHECK:-}" = off ] && echo ", output_check: { enabled: false }") }
EOF

# Two more builds: Preview under another id (the "new provider"), and Preview rebuilt with
# another version string (a new hash of the serving plugin, for the swaps).
SRC=Plugins/Preview
build() { cc -shared -fPIC -O2 -fvisibility=hidden -I $SRC/include -I Sources/PluginAPI/include "$@" \
          $SRC/preview.c $SRC/preview_json.c $SRC/preview_render.c -lpng; }
build -DPREVIEW_PLUGIN_ID='"preview-b"' -o "$WORK/builds/libpreview-b.so"
build -DPREVIEW_VERSION='"1.0.1"' -o "$WORK/builds/libimagegen-preview-v2.so"
cp "$BIN/libimagegen-preview.so" "$WORK/builds/libimagegen-preview-v1.so"

"$BIN/imagegen" serve --listen "127.0.0.1:$PORT" --config "$WORK/config.json5" --plugins "$WORK/plugins" \
  --data "$WORK/data" --quiet &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.05; done
rss() { awk '/VmRSS/ {r=$2} /RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "%.1f (anonymous %.1f, file-backed %.1f)", r/1024, a/1024, f/1024}' "/proc/$SERVER_PID/status"; }

echo "machine: $(nproc) cores, $(uname -r); shared with other work while measured (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
sleep 1
echo "RSS idle after start: $(rss) MB"

cat > "$WORK/generate.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt":"a red teapot on a wooden table","parameters":{"width":64,"height":64},"wait":30}'
EOF

run() { # label, connections, extra wrk args...
  local label=$1 c=$2; shift 2
  local threads=$(( c < 2 ? 1 : 2 ))
  local out
  out=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency "$@")
  local rps p50 p99 errors non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {print $0}' <<<"$out"); errors=${errors:-none}
  printf '%-28s c=%-3s %10s req/s   p50 %-9s p99 %-9s non-2xx %s, socket errors: %s\n' "$label" "$c" "$rps" "$p50" "$p99" "$non2xx" "$errors"
}

for c in 1 16 64; do run "GET /v1/models" "$c" "$URL/v1/models"; done
echo "RSS after GET load: $(rss) MB"

PEAK="$WORK/peak"; echo 0 > "$PEAK"
( while kill -0 "$SERVER_PID" 2>/dev/null; do
    r=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    [ "$r" -gt "$(cat "$PEAK")" ] && echo "$r" > "$PEAK"; sleep 0.2; done ) &
SAMPLER=$!
for c in 1 16 64; do run "POST /v1/generations wait" "$c" -s "$WORK/generate.lua" "$URL/v1/generations"; done
kill $SAMPLER 2>/dev/null || true
echo "RSS peak under generation load: $(awk '{printf "%.1f", $1/1024}' "$PEAK") MB; after: $(rss) MB"
sleep 2
echo "RSS idle after load: $(rss) MB"

# A new provider appears: from the rename into the folder to the first request routed to it
# (preview-b has the higher priority, so it takes the model "preview" as soon as it is loaded).
cp "$WORK/builds/libpreview-b.so" "$WORK/plugins/.libpreview-b.so.tmp"
t0=$(date +%s%N)
mv "$WORK/plugins/.libpreview-b.so.tmp" "$WORK/plugins/libpreview-b.so"
while true; do
  used=$(curl -s -H 'Content-Type: application/json' "$URL/v1/generations" \
    -d '{"prompt":"who serves","parameters":{"width":64,"height":64},"wait":5}' \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["images"][0]["metadata"]["api_used"] if d.get("images") else "")')
  [ "$used" = "preview-b/preview-1" ] && break
done
t1=$(date +%s%N)
echo "new .so → first routed request: $(( (t1 - t0) / 1000000 )) ms (watch_interval_ms 250, settle_ms 500; a fresh copy)"
rm "$WORK/plugins/libpreview-b.so"
sleep 1.5

# Swaps under load: 16 connections generate while the serving plugin is replaced 6 times.
before=$(curl -s "$URL/metrics" | awk '/^imagegen_jobs\{state="(failed|cancelled)"\}/ {s+=$2} END {print s+0}')
( for i in 1 2 3 4 5 6; do
    sleep $(( DURATION > 9 ? 1 : 0 )).4
    v=$(( i % 2 == 1 ? 2 : 1 ))
    cp "$WORK/builds/libimagegen-preview-v$v.so" "$WORK/plugins/.swap.tmp"
    mv "$WORK/plugins/.swap.tmp" "$WORK/plugins/libimagegen-preview.so"
  done ) &
SWAPPER=$!
run "POST generations + 6 swaps" 16 -s "$WORK/generate.lua" "$URL/v1/generations"
wait $SWAPPER
sleep 1
swaps=$(curl -s "$URL/metrics" | awk '/^imagegen_plugin_changes_total\{kind="swapped"\}/ {print $2}')
after=$(curl -s "$URL/metrics" | awk '/^imagegen_jobs\{state="(failed|cancelled)"\}/ {s+=$2} END {print s+0}')
echo "swaps applied during the run: $swaps; jobs failed or cancelled during it: $(( after - before ))"
