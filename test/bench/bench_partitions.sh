# Partition manager (issue 3) beside pg_partman (4.7 on PostgreSQL 15, 5.x on
# 17 and 18; 19 has no pg_partman package: those comparisons are skipped)
# and plain SQL.
#   BENCH_PART_TABLES      managed daily tables for setup / no-op runs (default 100)
#   BENCH_PART_EVENTS      events in the retention benchmark (default 10000000, over 10 days)
#   BENCH_PART_SECS        seconds per pgbench run of the insert benchmark (default 10)
#   BENCH_PART_MAINT_EVERY seconds between maintenance runs during it (default 1)
ntables=${BENCH_PART_TABLES:-100}
nevents=${BENCH_PART_EVENTS:-10000000}
secs=${BENCH_PART_SECS:-10}
every=${BENCH_PART_MAINT_EVERY:-1}
tmp=$(mktemp -d /tmp/bench_partitions.XXXXXX); chmod 755 "$tmp"

have_partman=$(gs_psql -At -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_partman'")
if [ "$have_partman" = 0 ]; then
    echo "pg_partman is not packaged for this PostgreSQL: setup and no-op comparisons skipped" | tee -a "$GS_DIR/results.txt"
else
gs_psql -c "CREATE SCHEMA IF NOT EXISTS partman" \
        -c "CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman" >/dev/null

make_tables() {
    gs_psql <<SQL >/dev/null
CREATE SCHEMA bp_ours;
CREATE SCHEMA bp_partman;
DO \$\$
BEGIN
    FOR i IN 1..$ntables LOOP
        EXECUTE format('CREATE TABLE bp_ours.t%s (id bigint NOT NULL, at timestamptz NOT NULL, v int)
                        PARTITION BY RANGE (at)', i);
        EXECUTE format('CREATE INDEX ON bp_ours.t%s (at)', i);
        EXECUTE format('CREATE TABLE bp_partman.t%s (id bigint NOT NULL, at timestamptz NOT NULL, v int)
                        PARTITION BY RANGE (at)', i);
        EXECUTE format('CREATE INDEX ON bp_partman.t%s (at)', i);
    END LOOP;
END \$\$;
SQL
}
drop_tables() {
    gs_psql -c "SELECT count(gamestats.unmanage_partitions(parent)) FROM gamestats.partition_config" \
            -c "DROP SCHEMA bp_ours CASCADE" -c "DROP SCHEMA bp_partman CASCADE" \
            -c "DELETE FROM partman.part_config" >/dev/null 2>&1
}

# pg_partman 4.x (beside PostgreSQL 15) names the partitioning type and the
# interval by keyword; 5.x (beside 17 and 18) takes an interval and has only
# native partitioning.
partman_major=$(gs_psql -At -c "SELECT split_part(extversion, '.', 1) FROM pg_extension WHERE extname = 'pg_partman'")
if [ "$partman_major" -ge 5 ]; then
    partman_create="partman.create_parent(format('bp_partman.t%s', i), 'at', '1 day')"
else
    partman_create="partman.create_parent(format('bp_partman.t%s', i), 'at', 'native', 'daily')"
fi

# setup: manage_partitions vs create_parent on each of the tables (daily,
# premake 4, a default partition; pg_partman also makes 4 past days by
# default, so ours gets start_time 4 days back); best of 3 rounds each
ours=""; anchor=""
for round in 1 2 3; do
    [ "$round" = 1 ] || drop_tables
    make_tables
    o=$(time_sql "DO \$\$ BEGIN FOR i IN 1..$ntables LOOP
        PERFORM gamestats.manage_partitions(format('bp_ours.t%s', i)::regclass, '1 day',
                                            retention => '30 days', premake => 4,
                                            start_time => now() - interval '4 days');
      END LOOP; END \$\$")
    a=$(time_sql "DO \$\$ BEGIN FOR i IN 1..$ntables LOOP
        PERFORM $partman_create;
      END LOOP; END \$\$")
    ours=$(awk -v x="$o" -v y="$ours" 'BEGIN{print (y == "" || x < y) ? x : y}')
    anchor=$(awk -v x="$a" -v y="$anchor" 'BEGIN{print (y == "" || x < y) ? x : y}')
done
gs_psql -c "UPDATE partman.part_config SET retention = '30 days', retention_keep_table = false" >/dev/null
report "setup of $ntables daily tables vs create_parent" "$ours" "$anchor" ms "<= 0.5x"

# no-op maintenance of all of them (nothing to make, nothing to drop)
ours=$(best_of 5 "SELECT count(*) FROM gamestats.run_maintenance()")
anchor=$(best_of 5 "SELECT partman.run_maintenance(p_analyze := false, p_jobmon := false)")
report "no-op run_maintenance, $ntables tables, vs partman" "$ours" "$anchor" ms "<= 0.1x"
drop_tables
fi

# retention: dropping the oldest of 10 days of events vs DELETE of its rows
# from an unpartitioned table with an index on the time
gs_psql <<SQL >/dev/null
CREATE TABLE bp_events (player_id bigint NOT NULL, at timestamptz NOT NULL, value int NOT NULL)
    PARTITION BY RANGE (at);
CREATE INDEX ON bp_events (at);
SELECT gamestats.manage_partitions('bp_events', '1 day', retention => '9 days', premake => 1,
                                   start_time => '2024-01-01', now => '2024-01-10 12:00+00');
INSERT INTO bp_events
SELECT (hashint8(i) & 1048575), timestamptz '2024-01-01 00:00+00' + (i * (interval '10 days' / $nevents)), i % 100
  FROM generate_series(0, $nevents - 1) i;
CREATE TABLE bp_plain (player_id bigint NOT NULL, at timestamptz NOT NULL, value int NOT NULL);
INSERT INTO bp_plain SELECT * FROM bp_events;
CREATE INDEX ON bp_plain (at);
VACUUM ANALYZE bp_events;
VACUUM ANALYZE bp_plain;
CHECKPOINT;
SQL
ours=$(time_sql "SELECT dropped FROM gamestats.run_maintenance('bp_events', now => '2024-01-11 00:00+00')")
anchor=$(time_sql "DELETE FROM bp_plain WHERE at < '2024-01-02 00:00+00'")
left=$(gs_psql -At -c "SELECT (SELECT count(*) FROM bp_events) = (SELECT count(*) FROM bp_plain)")
report "retention of 1 day of $nevents events vs DELETE" "$ours" "$anchor" ms "report (same rows left: $left)"
gs_psql -c "DROP TABLE bp_events, bp_plain" >/dev/null

# inserts while maintenance keeps trying to drop a partition that a long
# reader holds, vs inserts without maintenance.  Maintenance never queues
# for its lock behind the reader, so the inserts never queue behind it.
gs_psql <<SQL >/dev/null
CREATE TABLE bp_ingest (player_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), value int NOT NULL)
    PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('bp_ingest', '1 day', retention => '2 days', premake => 2,
                                   start_time => now() - interval '5 days');
-- a partition long past retention, for maintenance to try to drop
CREATE TABLE bp_ingest_2000 PARTITION OF bp_ingest FOR VALUES FROM ('2000-01-01') TO ('2000-01-02');
SQL
cat > "$tmp/insert.sql" <<SQL
\set p random(1, 1000000)
INSERT INTO bp_ingest (player_id, value) VALUES (:p, 1);
SQL
base=""; busy=""
: > "$tmp/maint.log"
for round in 1 2; do
    t=$(pgbench_tps "$tmp/insert.sql" 2 "$secs")
    base=$(awk -v x="$t" -v y="$base" 'BEGIN{print (y == "" || x > y) ? x : y}')
    # the long reader, then maintenance every $every s during the pgbench run
    gs_psql -c "BEGIN" -c "SELECT count(*) FROM bp_ingest" -c "SELECT pg_sleep($secs + 3)" -c "COMMIT" >/dev/null &
    reader=$!
    sleep 1
    (
        end=$((SECONDS + secs))
        while [ $SECONDS -lt "$end" ]; do
            gs_psql -At -c "SELECT count(*) FROM gamestats.run_maintenance('bp_ingest') WHERE error IS NOT NULL" >> "$tmp/maint.log"
            sleep "$every"
        done
    ) &
    maint=$!
    t=$(pgbench_tps "$tmp/insert.sql" 2 "$secs")
    busy=$(awk -v x="$t" -v y="$busy" 'BEGIN{print (y == "" || x > y) ? x : y}')
    wait "$maint" || true
    wait "$reader" || true
done
tries=$(wc -l < "$tmp/maint.log")
skipped=$(grep -c '^1$' "$tmp/maint.log" || true)
report "inserts, maintenance every ${every}s behind reader" "$busy" "$base" tps ">= 0.9x ($skipped/$tries runs skipped the drop)"
gs_psql -c "SELECT gamestats.unmanage_partitions('bp_ingest')" -c "DROP TABLE bp_ingest" >/dev/null
rm -rf "$tmp"
