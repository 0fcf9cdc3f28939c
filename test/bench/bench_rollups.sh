# Rollups (issue 14): incremental refresh beside re-aggregating everything,
# a weekly board over a daily rollup beside the same board over the events,
# and insert throughput with and without rollup tracking.
#   BENCH_ROLLUP_EVENTS_PER_DAY  events per day, over 7 days (default 1000000)
#   BENCH_ROLLUP_PLAYERS         distinct players in them (default 100000)
#   BENCH_ROLLUP_SECS            seconds per pgbench run of the insert benchmark (default 10)
per_day=${BENCH_ROLLUP_EVENTS_PER_DAY:-1000000}
rplayers=${BENCH_ROLLUP_PLAYERS:-100000}
secs=${BENCH_ROLLUP_SECS:-10}
tmp=$(mktemp -d /tmp/bench_rollups.XXXXXX); chmod 755 "$tmp"
echo "rollups: 7 days x $per_day events, $rplayers players" | tee -a "$GS_DIR/results.txt"

gs_psql <<SQL >/dev/null
DROP SCHEMA IF EXISTS br CASCADE;
CREATE SCHEMA br;
CREATE TABLE br.ev (player_id bigint NOT NULL, kind text NOT NULL, at timestamptz NOT NULL, value int)
    PARTITION BY RANGE (at);
CREATE INDEX ON br.ev (at);
SELECT gamestats.manage_partitions('br.ev', '1 day', premake => 2, start_time => now() - interval '8 days');
INSERT INTO br.ev
SELECT (hashint8(i) & 2147483647) % $rplayers, CASE WHEN i % 10 = 0 THEN 'death' ELSE 'kill' END,
       now() - interval '7 days' + (i::float8 / ($per_day * 7)) * interval '7 days' - interval '1 hour',
       (i % 100)::int
  FROM generate_series(1, $per_day * 7) i;
VACUUM ANALYZE br.ev;
SELECT gamestats.create_rollup('br.hourly', 'br.ev', '1 hour', '{player_id}',
                               'count(*) AS kills, sum(value) AS points', filter => \$\$kind = 'kill'\$\$);
SELECT gamestats.create_rollup('br.daily', 'br.ev', '1 day', '{player_id}',
                               'count(*) AS kills', filter => \$\$kind = 'kill'\$\$);
VACUUM ANALYZE br.hourly, br.daily;
SQL

# 1 hour of new events, then an incremental refresh vs the full aggregate
hour=$((per_day / 24))
gs_psql -c "INSERT INTO br.ev SELECT (hashint8(i) & 2147483647) % $rplayers, 'kill',
                now() - interval '1 hour' + (i::float8 / $hour) * interval '1 hour', (i % 100)::int
              FROM generate_series(1, $hour) i" >/dev/null
ours=$(time_sql "SELECT gamestats.refresh_rollup('br.hourly')")
anchor=$(time_sql "CREATE TEMP TABLE full_agg AS SELECT gamestats.bucket_start('1 hour', at) AS bucket, player_id,
                          count(*) AS kills, sum(value) AS points
                     FROM br.ev WHERE kind = 'kill' GROUP BY 1, 2")
report "rollup refresh after 1 hour of events" "$ours" "$anchor" ms "<= 0.05x"
diff=$(gs_psql -At -c "SELECT count(*) FROM (
           (SELECT gamestats.bucket_start('1 hour', at), player_id, count(*), sum(value) FROM br.ev
             WHERE kind = 'kill' GROUP BY 1, 2 EXCEPT SELECT * FROM br.hourly)
           UNION ALL
           (SELECT * FROM br.hourly EXCEPT SELECT gamestats.bucket_start('1 hour', at), player_id, count(*), sum(value)
              FROM br.ev WHERE kind = 'kill' GROUP BY 1, 2)) d")
echo "rollup equals the full aggregate: $diff differing rows" | tee -a "$GS_DIR/results.txt"

# weekly board over the daily rollup vs over the raw events
gs_psql -c "SELECT gamestats.refresh_rollup('br.daily')" \
        -c "SELECT gamestats.create_leaderboard('br.board_rollup',
              \$\$SELECT player_id, sum(kills) AS score FROM br.daily
                 WHERE bucket >= gamestats.bucket_start('1 day', now() - interval '7 days') GROUP BY player_id\$\$)" \
        -c "SELECT gamestats.create_leaderboard('br.board_raw',
              \$\$SELECT player_id, count(*) AS score FROM br.ev
                 WHERE kind = 'kill' AND at >= gamestats.bucket_start('1 day', now() - interval '7 days') GROUP BY player_id\$\$)" >/dev/null
ours=$(best_of 2 "SELECT gamestats.refresh_leaderboard('br.board_rollup')")
anchor=$(best_of 2 "SELECT gamestats.refresh_leaderboard('br.board_raw')")
report "weekly board refresh: daily rollup vs events" "$ours" "$anchor" ms "<= 0.1x"
same=$(gs_psql -At -c "SELECT count(*) FROM ((TABLE br.board_rollup EXCEPT TABLE br.board_raw)
                                             UNION ALL (TABLE br.board_raw EXCEPT TABLE br.board_rollup)) d")
echo "both boards rank alike: $same differing rows" | tee -a "$GS_DIR/results.txt"

# inserts of 100-row batches with tracking (one rollup) vs without
gs_psql <<SQL >/dev/null
CREATE TABLE br.plain (player_id bigint NOT NULL, kind text NOT NULL, at timestamptz NOT NULL, value int)
    PARTITION BY RANGE (at);
CREATE TABLE br.tracked (LIKE br.plain) PARTITION BY RANGE (at);
SELECT gamestats.manage_partitions('br.plain', '1 day', premake => 2);
SELECT gamestats.manage_partitions('br.tracked', '1 day', premake => 2);
SELECT gamestats.create_rollup('br.tracked_hourly', 'br.tracked', '1 hour', '{player_id}', 'count(*) AS n');
SQL
for t in plain tracked; do
    echo "INSERT INTO br.$t SELECT (random() * $rplayers)::bigint, 'kill', now() - random() * interval '1 minute', 1
            FROM generate_series(1, 100);" > "$tmp/$t.sql"
done
chmod 644 "$tmp"/*.sql
plain=$(pgbench_tps "$tmp/plain.sql" 2 "$secs")
tracked=$(pgbench_tps "$tmp/tracked.sql" 2 "$secs")
report "inserts (100 rows) with rollup tracking" "$tracked" "$plain" tps ">= 0.9x"
gs_psql -c "SELECT count(*) AS pending_entries FROM gamestats.rollup_pending" \
        -c "SELECT gamestats.drop_leaderboard('br.board_rollup'), gamestats.drop_leaderboard('br.board_raw')" \
        -c "SELECT gamestats.drop_rollup(rollup) FROM gamestats.rollup_config WHERE rollup::text LIKE 'br.%'" \
        -c "SELECT gamestats.unmanage_partitions(parent) FROM gamestats.partition_config WHERE parent::text LIKE 'br.%'" \
        -c "DROP SCHEMA br CASCADE" >/dev/null
rm -rf "$tmp"
