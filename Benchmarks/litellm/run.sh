#!/usr/bin/env bash
# imagegen `serve` side by side with LiteLLM's proxy, both in front of the same Stability
# emulator (Tests/Emulators/stability_emulator.py), on this machine, in the same run (issue 18
# item 7). All four are started together and stay up for the whole run:
#   emulator          the Stability v2beta API (one flat-colour 1024² PNG per request)
#   litellm           LiteLLM's proxy (pinned version from PyPI, in a venv), model
#                     stability/stable-image-core → the emulator; POST /v1/images/generations
#   imagegen-off      `imagegen serve` (release) with the Stability plugin → the emulator,
#                     automatic post-processing off (no derivatives); POST /v1/generations + wait
#   imagegen-on       the same with the default post-processing (derivatives, scored)
# and measures, per gateway: start-up time (spawn → first 200 from its health route), idle RSS
# and PSS (whole process tree, /proc/PID/smaps_rollup), GET /v1/models with wrk at 16
# connections, and a 1024² stable-image-core request at 1, 4 and 16 connections: requests/s,
# p50/p99 latency, the overhead over the direct call to the emulator (p50 and p99 of the
# gateway minus those of the direct call at the same connections), and CPU per request (user +
# system of the gateway's process tree from /proc/PID/stat, after its background work ends).
#
#   Benchmarks/litellm/run.sh                        (release build first)
#   SKIP_BUILD=1 DURATION=5 CONNS="1 16" Benchmarks/litellm/run.sh
#   LITELLM_VERSION=1.110.2 Benchmarks/litellm/run.sh
#
# The venv is kept in ${LITELLM_VENV:-$HOME/.cache/imagegen-bench/litellm-$LITELLM_VERSION}.
# wrk is installed from apt when missing. Results go to stdout; Benchmarks/README.md keeps them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
HERE=$ROOT/Benchmarks/litellm
LITELLM_VERSION=${LITELLM_VERSION:-1.108.7}
VENV=${LITELLM_VENV:-$HOME/.cache/imagegen-bench/litellm-$LITELLM_VERSION}
DURATION=${DURATION:-10}
CONNS=${CONNS:-1 4 16}
TOKEN=bench-token-stability
PROMPT="a red teapot on a wooden table"

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x "$VENV/bin/litellm" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION"
fi
if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product imagegen >/dev/null
  swift build -c release --product imagegen-stabilityai >/dev/null
fi
BIN=$(swift build -c release --show-bin-path)

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/imagegen-litellm-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
# Waits for URL to answer 200; prints the seconds since START.
ready() { # start, url, pid
  for _ in $(seq 6000); do
    if curl -sf -o /dev/null -H "Authorization: Bearer $LKEY" "$2"; then awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; return; fi
    kill -0 "$3" 2>/dev/null || { echo "exited before answering $2; its log: $WORK/*.log" >&2; tail -20 "$WORK"/*.log >&2; exit 1; }
    sleep 0.05
  done
  echo "never ready: $2" >&2; exit 1
}

# The emulator.
python3 "$HERE/emulator.py" --port-file "$WORK/emulator.port" --token "$TOKEN" \
  --parent-pid $$ >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!; PIDS+=("$EMU_PID")
for _ in $(seq 200); do [ -s "$WORK/emulator.port" ] && break; sleep 0.05; done
EMU="http://127.0.0.1:$(cat "$WORK/emulator.port")"

# LiteLLM's proxy: one uvicorn worker, no database. It refuses to start without a master key
# (1.108.7); imagegen is given the same string as its API token (IMAGEGEN_API_TOKEN), so both
# check a bearer token on every request.
LPORT=$(port)
LKEY=sk-bench-$(python3 -c 'import secrets; print(secrets.token_hex(24))')
cat >"$WORK/litellm.yaml" <<EOF
model_list:
  - model_name: stable-image-core
    litellm_params:
      model: stability/stable-image-core
      api_key: os.environ/STABILITY_API_KEY
      api_base: $EMU
litellm_settings:
  drop_params: true
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
EOF
# The bundled price map (no fetch from the internet at start), warnings and errors only in the
# log (imagegen runs with --quiet), no telemetry.
export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR LITELLM_TELEMETRY=False
T0=$(now)
LITELLM_MASTER_KEY=$LKEY STABILITY_API_KEY=$TOKEN "$VENV/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$LPORT" \
  --num_workers 1 >"$WORK/litellm.log" 2>&1 &
LIT_PID=$!; PIDS+=("$LIT_PID")
LIT_START=$(ready "$T0" "http://127.0.0.1:$LPORT/health/liveliness" "$LIT_PID")

# Two imagegen servers: derivatives off and on (the default post-processing).
start_imagegen() { # name, automatic
  local name=$1 auto=$2
  mkdir -p "$WORK/$name/plugins" "$WORK/$name/data"
  cp "$BIN/libimagegen-stabilityai.so" "$WORK/$name/plugins/"
  touch -d '1 minute ago' "$WORK/$name/plugins/libimagegen-stabilityai.so"
  cat >"$WORK/$name/config.json5" <<EOF
{ jobs: { concurrency: 64, poll_interval_ms: 1 },
  providers: { stabilityai: { base_url: "$EMU" } },
  imaging: { postProcessing: { automatic: $auto } } }
EOF
  local p; p=$(port)
  local t0; t0=$(now)
  IMAGEGEN_API_TOKEN=$LKEY STABILITY_API_KEY=$TOKEN "$BIN/imagegen" serve --listen "127.0.0.1:$p" --config "$WORK/$name/config.json5" \
    --plugins "$WORK/$name/plugins" --data "$WORK/$name/data" --quiet >"$WORK/$name.log" 2>&1 &
  local pid=$!
  local started; started=$(ready "$t0" "http://127.0.0.1:$p/healthz" "$pid") || { kill "$pid"; exit 1; }
  echo "$pid $p $started"
}
# start_imagegen runs in a subshell ($(…)): its PIDS+= is lost, so the pids are added here.
read -r OFF_PID OFF_PORT OFF_START <<<"$(start_imagegen imagegen-off false)"
[ -n "$OFF_PID" ] || exit 1
PIDS+=("$OFF_PID")
read -r ON_PID ON_PORT ON_START <<<"$(start_imagegen imagegen-on true)"
[ -n "$ON_PID" ] || exit 1
PIDS+=("$ON_PID")

echo "commit $(git rev-parse --short HEAD), LiteLLM $LITELLM_VERSION, $(nproc) cores, $(uname -r)"
echo "data on $(df --output=fstype "$WORK" | tail -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "start-up (spawn → first 200 from /healthz or /health/liveliness):"
printf '  %-14s %6s s\n' litellm "$LIT_START" imagegen-off "$OFF_START" imagegen-on "$ON_START"
sleep 5
echo "idle memory in MB, 5 s after ready (imagegen: serve + its plugin-runner child, the same binary):"
for g in "litellm $LIT_PID" "imagegen-off $OFF_PID" "imagegen-on $ON_PID" "emulator $EMU_PID"; do
  set -- $g; printf '  %-14s %s\n' "$1" "$(python3 "$HERE/proc.py" mem "$2")"
done

ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' <<<"$1"; }

# Request bodies (wrk sends the same body every time).
BOUNDARY=imagegenbenchboundary
# The direct calls, as each gateway makes them: imagegen's plugin asks for the image bytes
# (Accept: image/*), LiteLLM for JSON with the image in base64 (Accept: application/json).
for accept in raw json; do
  [ $accept = raw ] && header="image/*" || header="application/json"
  cat >"$WORK/direct-$accept.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Accept"] = "$header"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=$BOUNDARY"
wrk.body = "--$BOUNDARY\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n$PROMPT\r\n" ..
           "--$BOUNDARY\r\nContent-Disposition: form-data; name=\"aspect_ratio\"\r\n\r\n1:1\r\n" ..
           "--$BOUNDARY\r\nContent-Disposition: form-data; name=\"output_format\"\r\n\r\npng\r\n--$BOUNDARY--\r\n"
EOF
done
cat >"$WORK/litellm.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $LKEY"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"stable-image-core","prompt":"$PROMPT","size":"1024x1024"}'
EOF
cat >"$WORK/imagegen.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $LKEY"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"stable-image-core","prompt":"$PROMPT","parameters":{"width":1024,"height":1024},"wait":120}'
EOF

# One check request each, so a misconfiguration fails loudly instead of measuring errors.
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H "Accept: image/*" \
  -F "prompt=$PROMPT" -F aspect_ratio=1:1 -F output_format=png "$EMU/v2beta/stable-image/generate/core" \
  || { echo "direct call to the emulator failed" >&2; exit 1; }
for g in "litellm $LPORT /v1/images/generations" "imagegen-off $OFF_PORT /v1/generations" "imagegen-on $ON_PORT /v1/generations"; do
  set -- $g
  body=$(awk -F"'" '/wrk.body/ {print $2}' "$WORK/${1%-*}.lua")
  code=$(curl -s -o "$WORK/check-$1.json" -w '%{http_code}' -H "Authorization: Bearer $LKEY" -H 'Content-Type: application/json' \
    -d "$body" "http://127.0.0.1:$2$3")
  [ "$code" = 200 ] || [ "$code" = 201 ] || { echo "$1: check request answered $code: $(head -c 600 "$WORK/check-$1.json")" >&2; exit 1; }
done
for p in "$OFF_PID" "$ON_PID"; do python3 "$HERE/proc.py" quiet "$p" >/dev/null; done

echo
echo "GET /v1/models, wrk -t2 -c16 -d${DURATION}s:"
for g in "litellm $LPORT" "imagegen-off $OFF_PORT"; do
  set -- $g
  out=$(wrk -t2 -c16 -d"${DURATION}s" --latency -H "Authorization: Bearer $LKEY" "http://127.0.0.1:$2/v1/models")
  printf '  %-14s %10s req/s  p50 %8s ms  p99 %8s ms  non-2xx %s  (load %s)\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(ms "$(awk '$1=="50%" {print $2}' <<<"$out")")" \
    "$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")" "$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)" \
    "$(cut -d' ' -f1 /proc/loadavg)"
done

echo
echo "1024² stable-image-core, wrk ${DURATION}s per run; +p50/+p99 = gateway − the direct call it makes (LiteLLM:"
echo "direct-json, imagegen: direct-raw) at the same connections;"
echo "CPU per request = the gateway's process tree (user + system) over the run and its background work:"
printf '  %-14s %4s %9s %9s %9s %10s %10s %11s %7s %6s\n' target conns 'req/s' 'p50 ms' 'p99 ms' '+p50 ms' '+p99 ms' 'CPU ms/req' non2xx load
for c in $CONNS; do
  threads=$(( c < 2 ? 1 : 2 ))
  for g in "direct-raw $EMU_PID $EMU/v2beta/stable-image/generate/core" \
           "direct-json $EMU_PID $EMU/v2beta/stable-image/generate/core" \
           "litellm $LIT_PID http://127.0.0.1:$LPORT/v1/images/generations" \
           "imagegen-off $OFF_PID http://127.0.0.1:$OFF_PORT/v1/generations" \
           "imagegen-on $ON_PID http://127.0.0.1:$ON_PORT/v1/generations"; do
    set -- $g
    name=$1 pid=$2 url=$3
    case $name in direct-*) script=$WORK/$name.lua ;; *) script=$WORK/${name%-*}.lua ;; esac
    load=$(cut -d' ' -f1 /proc/loadavg)
    cpu0=$(python3 "$HERE/proc.py" cpu "$pid")
    out=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 120s --latency -s "$script" "$url")
    case $name in direct-*) ;; *) python3 "$HERE/proc.py" quiet "$pid" >/dev/null ;; esac
    cpu1=$(python3 "$HERE/proc.py" cpu "$pid")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(ms "$(awk '$1=="50%" {print $2}' <<<"$out")"); p99=$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    cpr=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" 'BEGIN {printf "%.1f", n ? (b - a) * 1000 / n : 0}')
    case $name in
      direct-raw) raw50=$p50; raw99=$p99; o50=-; o99=-; cpr="($cpr emu)" ;;
      direct-json) json50=$p50; json99=$p99; o50=-; o99=-; cpr="($cpr emu)" ;;
      *) if [ "$name" = litellm ]; then b50=$json50; b99=$json99; else b50=$raw50; b99=$raw99; fi
         o50=$(awk -v a="$p50" -v b="$b50" 'BEGIN {printf "%.2f", a - b}')
         o99=$(awk -v a="$p99" -v b="$b99" 'BEGIN {printf "%.2f", a - b}') ;;
    esac
    printf '  %-14s %4s %9s %9s %9s %10s %10s %11s %7s %6s\n' "$name" "$c" "$rps" "$p50" "$p99" "$o50" "$o99" "$cpr" "$non2xx" "$load"
    curl -sf -o /dev/null -X POST "$EMU/__emulator/reset" || true
  done
done

echo
echo "memory in MB after the runs:"
for g in "litellm $LIT_PID" "imagegen-off $OFF_PID" "imagegen-on $ON_PID"; do
  set -- $g; printf '  %-14s %s\n' "$1" "$(python3 "$HERE/proc.py" mem "$2")"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
