#!/usr/bin/env bash
# Job transitions/s on a PostgreSQL catalog (issue 21: "show that the catalog is not the
# bottleneck", target >= 2,000/s). Starts a throwaway cluster (initdb into /tmp, as `nobody`
# when run as root, a free loopback port), runs `Benchmarks catalog-transitions` with 1, 2 and
# 4 workers (each its own connection and host name) on a fresh database each, and stops it.
#
#   Benchmarks/catalog-transitions.sh                  (fsync on: what a real server does)
#   BENCH_FSYNC=off JOBS=4000 Benchmarks/catalog-transitions.sh
#   SCRATCH=/tmp/pg-release SKIP_BUILD=1 Benchmarks/catalog-transitions.sh
#   CONFIG=debug SKIP_BUILD=1 Benchmarks/catalog-transitions.sh   (the test build; not for published figures)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-4000}
SCRATCH=${SCRATCH:-.build}
CONFIG=${CONFIG:-release}
if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c "$CONFIG" --scratch-path "$SCRATCH" --product Benchmarks >/dev/null
fi
BIN=$(swift build -c "$CONFIG" --scratch-path "$SCRATCH" --show-bin-path)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/imagegen-bench-pg-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown nobody "$DIR"
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$DIR/data" -U imagegen --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=${BENCH_FSYNC:-on}" start >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), fsync=${BENCH_FSYNC:-on}, $JOBS jobs per run, $(nproc) cores, $CONFIG build"
for workers in 1 2 4; do
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U imagegen "bench$workers"
  "$BIN/Benchmarks" catalog-transitions "postgresql://imagegen@127.0.0.1:$PORT/bench$workers" "$workers" "$JOBS"
done
