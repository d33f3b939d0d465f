#!/usr/bin/env bash
# Idle memory of `imagegen serve` (issue 18 item 3): RSS and PSS from /proc/PID/smaps_rollup,
# 5 s after start, for the first start on a fresh data folder (the template library is screened
# by the content policy, which folds the shipped public-figure names) and for a restart on the
# same folder (verdicts remembered); then RSS by mapping of the restart.
#
#   Benchmarks/idle-rss.sh                 (release build first)
#   SKIP_BUILD=1 Benchmarks/idle-rss.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product imagegen >/dev/null
  swift build -c release --product imagegen-preview >/dev/null
fi
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/imagegen-idle.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/plugins" "$WORK/data"
cp "$BIN/libimagegen-preview.so" "$WORK/plugins/"
echo '{ jobs: { concurrency: 64, poll_interval_ms: 1 } }' > "$WORK/config.json5"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "commit $(git rev-parse --short HEAD); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for run in "first start" "restart"; do
  "$BIN/imagegen" serve --listen "127.0.0.1:$PORT" --config "$WORK/config.json5" --plugins "$WORK/plugins" \
    --data "$WORK/data" --quiet &
  PID=$!
  sleep 5
  awk -v run="$run" '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Pss_Anon:/ {a=$2} /^Pss_File:/ {f=$2}
    END {printf "%-12s RSS %.1f MB  PSS %.1f MB (anonymous %.1f, file-backed %.1f)\n", run, r/1024, p/1024, a/1024, f/1024}' \
    "/proc/$PID/smaps_rollup"
  if [ "$run" = restart ]; then
    echo "RSS / PSS by mapping (MB), restart:"
    awk '/^[0-9a-f]+-/ {f=($6 == "" ? "[anonymous]" : $6)} /^Rss:/ {r[f]+=$2} /^Pss:/ {p[f]+=$2}
      END {for (k in r) printf "%6.1f %6.1f  %s\n", r[k]/1024, p[k]/1024, k}' "/proc/$PID/smaps" | sort -rn | head -25
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
