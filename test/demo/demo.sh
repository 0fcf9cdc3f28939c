#!/usr/bin/env bash
# `make demo` / `make demo-stop`: a throwaway cluster with pg_cron preloaded,
# a database with pg_gamestats and a generated game data set; each feature
# adds its part as test/demo/NN_*.sql, run in order.
#   DEMO_DIR (default /tmp/pg_gamestats_demo), DEMO_PORT (default 55432),
#   DEMO_PLAYERS (default 20000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
export GS_DIR=${DEMO_DIR:-/tmp/pg_gamestats_demo}
export GS_PORT=${DEMO_PORT:-55432}
export GS_DB=gamestats_demo
players=${DEMO_PLAYERS:-20000}
. "$src/test/lib/cluster.sh"

case "${1:-start}" in
start)
    gs_build_install "$src"
    gs_start
    gs_psql -f - < "$src/test/bench/gen.sql" >/dev/null
    gs_psql -c "SELECT setseed(0.42)" -c "SELECT gen.players($players)" \
            -c "SELECT gen.matches($players, $((players * 10)))" >/dev/null
    for part in "$here"/[0-9][0-9]_*.sql; do
        [ -f "$part" ] || continue
        echo "=== $(basename "$part")"
        gs_psql -v players="$players" -f - < "$part"
    done
    cat <<MSG

The demo cluster is running (data in $GS_DIR, log $GS_DIR/server.log).
Connect with:
    $( [ "$(id -u)" -eq 0 ] && echo "runuser -u postgres -- " )$GS_BINDIR/psql -h $GS_DIR -p $GS_PORT -d $GS_DB
pg_cron runs the scheduled jobs in it (SELECT * FROM cron.job).
Stop and remove it with: make demo-stop
MSG
    ;;
stop)
    gs_stop
    echo "demo cluster stopped and $GS_DIR removed"
    ;;
*)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
