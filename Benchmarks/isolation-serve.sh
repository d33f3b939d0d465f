#!/usr/bin/env bash
# Generations/s over HTTP with plugin isolation on (the default: Preview in a child process)
# and off (`IMAGEGEN_PLUGIN_RUNNER=none`: Preview in the server's process), same machine, same
# run: release build, Preview at zero latency, `POST /v1/generations` with wait at 16
# connections (wrk). The two servers run in turns (on, off, on, off, …) so a change in the
# machine's load hits both alike; each turn also prints the CPU seconds the server (and its
# plugin child) spent per generation, which the load on a shared machine barely moves.
#
#   Benchmarks/isolation-serve.sh                 (ROUNDS=3 DURATION=10 by default)
#   BENCH_TMP=/dev/shm Benchmarks/isolation-serve.sh   (data on tmpfs: no fsync cost)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
if [ -z "${BIN:-}" ]; then
  swift build -c release --product imagegen >/dev/null
  swift build -c release --product imagegen-preview >/dev/null
  BIN=$(swift build -c release --show-bin-path)
fi

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/imagegen-iso-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
cat > "$WORK/generate.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt":"a red teapot on a wooden table","parameters":{"width":64,"height":64},"wait":30}'
EOF

# CPU seconds (user + system) of a process and its children that have ended, plus its live children.
cpu() {
  local pid=$1 total=0 t
  t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat")
  total=$t
  for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    t=$(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0); total=$((total + t))
  done
  echo "$total $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

start() { # mode (on|off) → sets URL and SERVER
  local mode=$1 dir="$WORK/$1"
  mkdir -p "$dir/plugins" "$dir/data"
  cp "$BIN/libimagegen-preview.so" "$dir/plugins/"
  echo '{ jobs: { concurrency: 64, poll_interval_ms: 1 } }' > "$dir/config.json5"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$mode" = off ]; then export IMAGEGEN_PLUGIN_RUNNER=none; else unset IMAGEGEN_PLUGIN_RUNNER; fi
  "$BIN/imagegen" serve --listen "127.0.0.1:$PORT" --config "$dir/config.json5" --plugins "$dir/plugins" \
    --data "$dir/data" --quiet &
  SERVER=$!
  unset IMAGEGEN_PLUGIN_RUNNER
  PIDS+=("$SERVER")
  URL="http://127.0.0.1:$PORT"
  for _ in $(seq 200); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.05; done
  # One generation first: the child (isolation on) is started on first use.
  curl -sf -H 'Content-Type: application/json' "$URL/v1/generations" \
    -d '{"prompt":"warm up","parameters":{"width":64,"height":64},"wait":30}' >/dev/null
}

start on; ON_URL=$URL; ON=$SERVER
start off; OFF_URL=$URL; OFF=$SERVER
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "isolation on: server pid $ON, plugin child(ren): $(cat /proc/$ON/task/*/children 2>/dev/null | tr '\n' ' ')"

for round in $(seq "$ROUNDS"); do
  for mode in on off; do
    if [ "$mode" = on ]; then url=$ON_URL; pid=$ON; else url=$OFF_URL; pid=$OFF; fi
    c0=$(cpu "$pid")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/generate.lua" "$url/v1/generations")
    c1=$(cpu "$pid")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    printf 'round %d isolation %-3s %8s gen/s  p50 %-8s p99 %-8s non-2xx %s  CPU %.2f ms per generation  (load %s)\n' \
      "$round" "$mode" "$rps" "$p50" "$p99" "$non2xx" "$(echo "$c0 $c1 $reqs" | awk '{print ($2 - $1) * 1000 / $3}')" \
      "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
