#!/usr/bin/env bash
# `make soak`: minutes of production-like load on a throwaway cluster, on
# loopback only, bounded in time:
#   - pgbench clients inserting events into a managed, 15-minute-partitioned
#     table with 1-hour retention (detach);
#   - run_maintenance every SOAK_MAINT_EVERY seconds;
# The soak runs on an accelerated clock (soak_now(): one real second is one
# minute), passed to run_maintenance(now => ...) and used for the rows'
# times, so that partitions are made, filled, and age out of retention many
# times within minutes.
#   - a leaderboard over the events refreshed (swap) in a loop;
#   - pgbench readers querying the board (ranks, around, top).
# Reports insert errors, lost rows (inserted vs present + detached) and the
# worst insert and read latency.  SOAK_SECS (default 300), SOAK_INSERTERS (4),
# SOAK_READERS (2), SOAK_MAINT_EVERY (3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
export GS_DIR=${SOAK_DIR:-/tmp/pg_gamestats_soak}
export GS_PORT=${SOAK_PORT:-55434}
export GS_DB=soak
secs=${SOAK_SECS:-300}
inserters=${SOAK_INSERTERS:-4}
readers=${SOAK_READERS:-2}
maint_every=${SOAK_MAINT_EVERY:-3}
. "$src/test/lib/cluster.sh"

gs_build_install "$src"
trap 'kill $(jobs -p) 2>/dev/null || true; gs_stop' EXIT
gs_start "max_connections = 100" "synchronous_commit = off"
work=$(mktemp -d /tmp/pg_gamestats_soak_work.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown "$GS_RUNNER" "$work"

gs_psql <<'SQL'
CREATE TABLE soak_clock (t0 timestamptz NOT NULL);
INSERT INTO soak_clock VALUES (clock_timestamp());
CREATE FUNCTION soak_now() RETURNS timestamptz LANGUAGE sql VOLATILE AS
  $$ SELECT t0 + (clock_timestamp() - t0) * 60 FROM soak_clock $$;
CREATE TABLE events (id bigserial, player_id bigint NOT NULL, at timestamptz NOT NULL,
                     points int NOT NULL) PARTITION BY RANGE (at);
CREATE INDEX ON events (player_id);
SELECT gamestats.manage_partitions('events', '15 minutes', retention => '1 hour',
                                   premake => 4, retention_mode => 'detach', now => soak_now());
CREATE TABLE soak_totals (player_id bigint PRIMARY KEY, score bigint NOT NULL);
INSERT INTO soak_totals SELECT i, 0 FROM generate_series(1, 10000) i;
SELECT gamestats.create_leaderboard('soak_board', 'SELECT player_id, score FROM soak_totals');
SQL

cat > "$work/insert.sql" <<'SQL'
\set p random_zipfian(1, 10000, 1.1)
\set ago random(0, 1800)
INSERT INTO events (player_id, at, points) VALUES (:p, soak_now() - make_interval(secs => :ago), :ago % 7);
SQL
cat > "$work/read.sql" <<'SQL'
\set p random(1, 10000)
SELECT * FROM gamestats.ranks(NULL::soak_board, ARRAY[:p, :p + 1, :p + 2]::bigint[]);
SELECT * FROM gamestats.around(NULL::soak_board, :p::bigint, 3, 3);
SELECT * FROM gamestats.top(NULL::soak_board, 10);
SQL
chmod 644 "$work"/*.sql

pgb() { (cd "$work" && as_pg pgbench -n -h "$GS_DIR" -p "$GS_PORT" "$@" "$GS_DB"); }
pgb -f insert.sql -c "$inserters" -j "$inserters" -T "$secs" -l --log-prefix=ins > "$work/insert.out" 2>&1 &
ins_pid=$!
pgb -f read.sql -c "$readers" -j "$readers" -T "$secs" -l --log-prefix=read > "$work/read.out" 2>&1 &
read_pid=$!

end=$((SECONDS + secs))
maint_runs=0; maint_errors=0; refreshes=0; refresh_errors=0
next_maint=$SECONDS
while [ $SECONDS -lt $end ]; do
    if [ $SECONDS -ge $next_maint ]; then
        if out=$(gs_psql -At -c "SELECT error FROM gamestats.run_maintenance(now => soak_now()) WHERE error IS NOT NULL" 2>>"$work/maint.err"); then
            [ -n "$out" ] && echo "$out" >> "$work/maint.err"
            errs=$(printf '%s' "$out" | grep -c . || true)
        else
            errs=1
        fi
        maint_runs=$((maint_runs + 1)); maint_errors=$((maint_errors + errs))
        next_maint=$((SECONDS + maint_every))
    fi
    if gs_psql -c "UPDATE soak_totals t SET score = s.score FROM (SELECT player_id, sum(points) AS score FROM events WHERE at > soak_now() - interval '1 hour' GROUP BY player_id) s WHERE t.player_id = s.player_id" \
               -c "SELECT gamestats.refresh_leaderboard('soak_board')" >/dev/null 2>>"$work/refresh.err"; then
        refreshes=$((refreshes + 1))
    else
        refresh_errors=$((refresh_errors + 1))
    fi
    sleep 1
done
wait $ins_pid || true
wait $read_pid || true

inserted=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' "$work/insert.out")
failed=$(awk '/number of failed transactions/ {print $5}' "$work/insert.out"); failed=${failed:-0}
present=$(gs_psql -At -c "SELECT count(*) FROM events")
detached=$(gs_psql -At <<'SQL'
SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint), 0)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname LIKE 'events\_p%' AND c.relkind = 'r' AND NOT c.relispartition
SQL
)
worst_insert=$(cat "$work"/ins.[0-9]* 2>/dev/null | awk 'BEGIN{m=0} {if ($3 > m) m = $3} END {printf "%.1f", m / 1000}')
worst_read=$(cat "$work"/read.[0-9]* 2>/dev/null | awk 'BEGIN{m=0} {if ($3 > m) m = $3} END {printf "%.1f", m / 1000}')
lost=$((inserted - present - detached))
cat <<REPORT
soak: ${secs}s, $inserters inserters, $readers readers, maintenance every ${maint_every}s
  inserted rows        $inserted (pgbench transactions)
  insert errors        $failed   (goal 0)
  present + detached   $present + $detached
  lost rows            $lost   (goal 0)
  worst insert latency ${worst_insert} ms
  worst read latency   ${worst_read} ms
  maintenance runs     $maint_runs ($maint_errors steps skipped or failed, retried next run: see $work/maint.err)
  partitions detached  $(gs_psql -At -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'events\\_p%' AND relkind = 'r' AND NOT relispartition")
  swap refreshes       $refreshes ($refresh_errors failed: see $work/refresh.err)
  reads                $(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' "$work/read.out")
REPORT
[ "$failed" -eq 0 ] && [ "$lost" -eq 0 ]
