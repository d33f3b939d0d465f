#!/usr/bin/env bash
# Generations/s over HTTP for 1, 2 and 3 `imagegen serve` hosts on one PostgreSQL catalog (issue
# 21), release build, Preview at zero latency, no object store; and catalog statements per
# generation, counted by pg_stat_statements over the whole run (every host's heartbeats, claims,
# alert rounds included).
#
#   Benchmarks/multihost.sh                     (builds the release products first)
#   GENERATIONS=1200 CLIENTS=32 Benchmarks/multihost.sh
#   SKIP_BUILD=1 BENCH_FSYNC=off Benchmarks/multihost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GENERATIONS=${GENERATIONS:-600}
CLIENTS=${CLIENTS:-16}
if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product imagegen >/dev/null
  swift build -c release --product imagegen-preview >/dev/null
fi
BIN=${BIN:-$(swift build -c release --show-bin-path)}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/imagegen-bench-multihost-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
PIDS=()
stop_hosts() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; PIDS=(); }
cleanup() { stop_hosts; as_pg "$PGBIN/pg_ctl" -D "$DIR/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
chmod 755 "$DIR"; mkdir -p "$DIR/pg"
[ "$(id -u)" = 0 ] && chown nobody "$DIR/pg"
as_pg "$PGBIN/initdb" -D "$DIR/pg" -U imagegen --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/log" -w -o "-c listen_addresses=127.0.0.1 -c port=$PORT \
  -c unix_socket_directories=$DIR/pg -c fsync=${BENCH_FSYNC:-on} -c shared_preload_libraries=pg_stat_statements \
  -c pg_stat_statements.track=all -c max_connections=200" start >/dev/null
psql_() { "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U imagegen -At "$@"; }
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), fsync=${BENCH_FSYNC:-on}, $GENERATIONS generations per run," \
     "$CLIENTS HTTP clients, $(nproc) cores, release build"

for hosts in 1 2 3; do
  DB="bench$hosts"
  psql_ -d postgres -c "CREATE DATABASE $DB" >/dev/null
  psql_ -d "$DB" -c "CREATE EXTENSION pg_stat_statements" >/dev/null
  URL="postgresql://imagegen@127.0.0.1:$PORT/$DB"
  PORTS=()
  for i in $(seq 0 $((hosts - 1))); do
    H="$DIR/run$hosts/host$i"
    mkdir -p "$H/plugins" "$H/data"
    cp "$BIN/libimagegen-preview.so" "$H/plugins/"
    touch -d '1 minute ago' "$H/plugins/libimagegen-preview.so"
    echo '{ jobs: { concurrency: 32, poll_interval_ms: 1 }, imaging: { postProcessing: { automatic: false } } }' > "$H/config.json5"
    KEYENV=()
    [ "$i" -gt 0 ] && KEYENV=(IMAGEGEN_MASTER_KEY_FILE="$DIR/run$hosts/host0/data/keys/master.key")
    env IMAGEGEN_CATALOG_URL="$URL" IMAGEGEN_HOST_NAME="bench-$i" "${KEYENV[@]}" \
      "$BIN/imagegen" serve --listen 127.0.0.1:0 --config "$H/config.json5" --plugins "$H/plugins" --data "$H/data" \
      2> "$H/log" > /dev/null &
    PIDS+=($!)
    for _ in $(seq 1 200); do grep -q "listening on 127.0.0.1:" "$H/log" 2>/dev/null && break; sleep 0.05; done
    PORTS+=("$(grep -o 'listening on 127.0.0.1:[0-9]*' "$H/log" | head -1 | sed 's/.*://')")
  done
  sleep 1 # the plugin folders settle and load
  psql_ -d "$DB" -c "SELECT pg_stat_statements_reset()" >/dev/null
  python3 - "$GENERATIONS" "$CLIENTS" "$URL" "$PGBIN/psql" "${PORTS[@]}" <<'EOF'
import http.client, json, subprocess, sys, threading, time
total, clients, url, psql, ports = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
def worker(k, out):
    conns = {p: http.client.HTTPConnection("127.0.0.1", int(p)) for p in ports}
    for i in range(k, total, clients):
        p = ports[i % len(ports)]
        body = json.dumps({"prompt": f"a paper boat on a pond {i}", "parameters": {"width": 64, "height": 64}})
        conns[p].request("POST", "/v1/generations", body, {"Content-Type": "application/json"})
        r = conns[p].getresponse(); r.read()
        out.append(r.status)
statuses = []
start = time.time()
threads = [threading.Thread(target=worker, args=(k, statuses)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
queued = time.time() - start
def left():
    return int(subprocess.run([psql, url, "-At", "-c", "SELECT count(*) FROM jobs WHERE state NOT IN ('succeeded','failed','cancelled','content_filtered')"],
                              capture_output=True, text=True).stdout.strip())
while left() > 0: time.sleep(0.05)
elapsed = time.time() - start
ok = subprocess.run([psql, url, "-At", "-c", "SELECT count(*) FROM jobs WHERE state = 'succeeded'"], capture_output=True, text=True).stdout.strip()
by_host = subprocess.run([psql, url, "-At", "-F", "=", "-c", "SELECT split_part(claimed_by, ':', 1), count(*) FROM jobs GROUP BY 1 ORDER BY 1"],
                         capture_output=True, text=True).stdout.split()
stmts = subprocess.run([psql, url, "-At", "-F", " ", "-c",
    "SELECT sum(calls), sum(calls) FILTER (WHERE query NOT IN ('BEGIN','COMMIT','ROLLBACK')) FROM pg_stat_statements "
    "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%' "
    "AND query NOT LIKE 'SELECT count(*) FROM jobs%'"], capture_output=True, text=True).stdout.split()
accepted = sum(1 for s in statuses if 200 <= s < 300)
top = subprocess.run([psql, url, "-At", "-F", " | ", "-c",
    "SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements "
    "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT 6"],
    capture_output=True, text=True).stdout.strip()
print(f"{len(ports)} host(s): {accepted} accepted (2xx), {ok} succeeded in {elapsed:.1f} s (all queued after {queued:.1f} s): "
      f"{int(ok) / elapsed:.1f} generations/s; per host {' '.join(by_host)}; "
      f"catalog statements per generation {int(stmts[0]) / int(ok):.1f} ({int(stmts[1]) / int(ok):.1f} without BEGIN/COMMIT)")
print("  most frequent statements:\n    " + top.replace("\n", "\n    "))
EOF
  stop_hosts
done
