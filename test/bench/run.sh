#!/usr/bin/env bash
# `make bench`: starts a throwaway cluster, loads the generated game data set,
# runs every benchmark file test/bench/bench_*.sh (or those named in BENCH,
# e.g. BENCH=partitions), each measuring pg_gamestats beside its anchor in
# the same run, and prints one line per benchmark: both timings and the ratio.
# Sizes: BENCH_PLAYERS (players, default 1000000).  Each bench file documents
# its own knobs.  Results are also written to $GS_DIR/results.txt.
# PG=NN runs them on that major version (in its chroot when this machine
# lacks it: see test/pgchroot.sh), with that version's pg_partman.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$src/test/lib/chroot_run.sh"
if gs_needs_chroot "${PG:-}"; then
    mapfile -t bench_vars < <(env | grep '^BENCH' || true)
    gs_chroot_run "$PG" test/bench/run.sh "${bench_vars[@]}"
    rc=$?
    cp "${GAMESTATS_CACHE:-/var/cache/pg_gamestats}/pg$PG/tmp/pg_gamestats_bench_results.txt" \
       "/tmp/pg_gamestats_bench_results.pg$PG.txt" 2>/dev/null || true
    exit $rc
fi
if [ -n "${PG:-}" ]; then export PG_CONFIG=/usr/lib/postgresql/$PG/bin/pg_config; fi
export GS_DIR=${BENCH_DIR:-/tmp/pg_gamestats_bench}
export GS_PORT=${BENCH_PORT:-55433}
export GS_DB=bench
export BENCH_PLAYERS=${BENCH_PLAYERS:-1000000}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
. "$src/test/lib/cluster.sh"
. "$here/lib.sh"

gs_build_install "$src"
trap 'gs_stop' EXIT
gs_start "shared_buffers = 2GB" "work_mem = 64MB" "maintenance_work_mem = 1GB" \
         "max_wal_size = 8GB" "checkpoint_timeout = 30min" "synchronous_commit = off" \
         "autovacuum = off" "max_connections = 100"
gs_psql -f - < "$here/gen.sql" >/dev/null
gs_psql -c "SELECT setseed(0.42)" -c "SELECT gen.players($BENCH_PLAYERS)" >/dev/null
gs_psql -c "VACUUM ANALYZE players" >/dev/null

echo "pg_gamestats benchmarks, $(date -u +%FT%TZ), $BENCH_PLAYERS players, $(nproc) cores"
echo "ratio = pg_gamestats / anchor (time: lower is better; throughput: higher is better)"
for f in "$here"/bench_*.sh; do
    name=$(basename "$f" .sh); name=${name#bench_}
    if [ -n "${BENCH:-}" ] && ! [[ ",$BENCH," == *",$name,"* ]]; then continue; fi
    echo "--- $name"
    ( . "$f" ) || echo "$name: FAILED (see $GS_DIR/server.log)" | tee -a "$GS_DIR/results.txt"
done
cp "$GS_DIR/results.txt" /tmp/pg_gamestats_bench_results.txt 2>/dev/null || true
