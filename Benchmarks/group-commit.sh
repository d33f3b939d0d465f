#!/usr/bin/env bash
# Issue 18's serve targets with repetitions (the machine is shared, so one run says little):
# `GET /v1/models` at 16 connections (audit on: every call appends an audit entry) and
# `POST /v1/generations` + wait at 1 and 16 connections, each REPS times for DURATION seconds;
# prints every run, then the median of req/s and of p99, and the load average before each run.
#
#   Benchmarks/group-commit.sh                     (release build first; data on /tmp)
#   REPS=5 DURATION=5 BENCH_TMP=/dev/shm Benchmarks/group-commit.sh
#   SKIP_BUILD=1 Benchmarks/group-commit.sh        (use the release products already built)
#   ONLY=models Benchmarks/group-commit.sh         (only `GET /v1/models`)
#   BIN=/tmp/before SKIP_BUILD=1 …                 (an imagegen and libimagegen-preview.so built elsewhere)
#   PERF=/tmp/models.perf ONLY=models …            (and a perf profile of the server during one more run)
# Each run also prints the server's CPU per request (user + system from /proc, before and after).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
DURATION=${DURATION:-5}

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product imagegen >/dev/null
  swift build -c release --product imagegen-preview >/dev/null
fi
BIN=${BIN:-$(swift build -c release --show-bin-path)}   # BIN=folder: another build's imagegen and plugin

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/imagegen-gc-bench.XXXXXX")
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/plugins" "$WORK/data"
cp "$BIN/libimagegen-preview.so" "$WORK/plugins/"
touch -d '1 minute ago' "$WORK/plugins/libimagegen-preview.so"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
echo '{ jobs: { concurrency: 64, poll_interval_ms: 1 } }' > "$WORK/config.json5"
"$BIN/imagegen" serve --listen "127.0.0.1:$PORT" --config "$WORK/config.json5" --plugins "$WORK/plugins" \
  --data "$WORK/data" --quiet &
SERVER_PID=$!
for _ in $(seq 200); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.05; done
sleep 1
echo "commit $(git rev-parse --short HEAD); $(nproc) cores; data on $(df --output=fstype "$WORK" | tail -1)"
awk '/VmRSS/ {r=$2} /RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "RSS idle: %.1f MB (anonymous %.1f, file-backed %.1f)\n", r/1024, a/1024, f/1024}' "/proc/$SERVER_PID/status"

cat > "$WORK/generate.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt":"a red teapot on a wooden table","parameters":{"width":64,"height":64},"wait":30}'
EOF

ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$1"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

series() { # label, connections, wrk args...
  local label=$1 c=$2; shift 2
  local threads=$(( c < 2 ? 1 : 2 )) rates="" p99s=""
  for r in $(seq "$REPS"); do
    local load out rps p99 non2xx
    local cpu0 cpu1 requests
    load=$(cut -d' ' -f1 /proc/loadavg)
    cpu0=$(python3 Benchmarks/litellm/proc.py cpu "$SERVER_PID")
    out=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency "$@")
    cpu1=$(python3 Benchmarks/litellm/proc.py cpu "$SERVER_PID")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    printf '  %-26s c=%-3s run %d: %10s req/s  p99 %8s ms  non-2xx %s  server CPU %s µs/request  (load %s)\n' \
      "$label" "$c" "$r" "$rps" "$p99" "$non2xx" "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$requests" 'BEGIN {printf "%.1f", (b-a)*1e6/n}')" "$load"
    rates+="$rps"$'\n'; p99s+="$p99"$'\n'
  done
  printf '%-28s c=%-3s median %10s req/s  median p99 %s ms\n' "$label" "$c" \
    "$(printf '%s' "$rates" | median)" "$(printf '%s' "$p99s" | median)"
}

series "GET /v1/models" 16 "$URL/v1/models"
if [ -n "${PERF:-}" ]; then
  perf record -g -o "$PERF" -p "$SERVER_PID" -- sleep "$DURATION" >/dev/null 2>&1 &
  PERF_PID=$!
  wrk -t2 -c16 -d"${DURATION}s" "$URL/v1/models" >/dev/null
  wait "$PERF_PID" || echo "perf record failed"
  echo "perf profile of GET /v1/models at 16 connections: $PERF"
fi
[ "${ONLY:-}" = models ] && exit 0
series "POST /v1/generations wait" 1 -s "$WORK/generate.lua" "$URL/v1/generations"
series "POST /v1/generations wait" 16 -s "$WORK/generate.lua" "$URL/v1/generations"
