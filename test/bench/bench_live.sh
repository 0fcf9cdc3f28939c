# Live boards (issue 12) beside their anchors: a prepared point query on a
# board, INSERT ... ON CONFLICT into a plain table, PostgreSQL's REFRESH, and
# Redis sorted sets loaded with the same players.
#   BENCH_LIVE_SECS     seconds per pgbench / redis-benchmark run (default 10)
#   BENCH_LIVE_CLIENTS  clients of every throughput run (default 2)
#   BENCH_REDIS_PORT    port of the Redis started here (default 56479)
# Durability: PostgreSQL with synchronous_commit = off (run.sh); Redis with
# no persistence (--save '' --appendonly no).
secs=${BENCH_LIVE_SECS:-10}
clients=${BENCH_LIVE_CLIENTS:-2}
rport=${BENCH_REDIS_PORT:-56479}
tmp=$(mktemp -d /tmp/bench_live.XXXXXX); chmod 755 "$tmp"

gs_psql <<SQL >/dev/null
DROP TABLE IF EXISTS live_src, plain_src CASCADE;
CREATE TABLE live_src (player_id bigint PRIMARY KEY, score int NOT NULL,
                       reached_at timestamptz NOT NULL);
INSERT INTO live_src SELECT player_id, rating, '2026-01-01'::timestamptz + player_id * interval '1 ms' FROM players;
CREATE TABLE plain_src (LIKE live_src INCLUDING ALL);
INSERT INTO plain_src SELECT * FROM live_src;
VACUUM ANALYZE live_src;
VACUUM ANALYZE plain_src;
SELECT gamestats.create_live_leaderboard('live_board', 'live_src', tiebreak_column => 'reached_at');
VACUUM ANALYZE live_board;
SQL

cat > "$tmp/point.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM live_board WHERE player_id = :id;
SQL
cat > "$tmp/ranks1.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM gamestats.ranks(NULL::live_board, ARRAY[:id]::bigint[]);
SQL
cat > "$tmp/top10.sql" <<SQL
SELECT * FROM gamestats.top(NULL::live_board, 10);
SQL
cat > "$tmp/around.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM gamestats.around(NULL::live_board, :id::bigint, 5, 5);
SQL
cat > "$tmp/submit.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
\set s random(0, 5000)
SELECT * FROM gamestats.submit_score(NULL::live_board, :id::bigint, :s::int);
SQL
cat > "$tmp/upsert.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
\set s random(0, 5000)
INSERT INTO plain_src AS t VALUES (:id, :s, now()) ON CONFLICT (player_id)
  DO UPDATE SET score = excluded.score, reached_at = excluded.reached_at WHERE excluded.score > t.score;
SQL

point=$(pgbench_tps "$tmp/point.sql" "$clients" "$secs")
echo "prepared point query on the board: $point tps ($clients clients)" | tee -a "$GS_DIR/results.txt"
declare -A live_ranks live_top live_around
changed=0
for want in 0 10000 100000; do
    if [ "$want" -gt "$changed" ]; then
        # players whose score moves: each change is two journal entries
        gs_psql -c "UPDATE live_src SET score = score + 1 + (player_id % 7)
                     WHERE player_id IN (SELECT 1 + (hashint8(g) & 2147483647) % $BENCH_PLAYERS
                                           FROM generate_series($changed + 1, $want) g)" >/dev/null
        changed=$want
    fi
    pending=$(gs_psql -At -c "SELECT pending_changes FROM gamestats.leaderboards WHERE board = 'live_board'::regclass")
    if [ "$want" -gt 0 ]; then
        # uncompacted: every count walks the journal entries above it
        raw=$(pgbench_tps "$tmp/ranks1.sql" "$clients" "$secs")
        report "live ranks(1), ${want} changed, not compacted" "$raw" "$point" tps "report"
        compact=$(time_sql "SELECT gamestats.refresh_leaderboard('live_board', 'compact')")
        echo "compacting ${want} changes ($pending entries): ${compact} ms" | tee -a "$GS_DIR/results.txt"
        # what autovacuum does next (the journal tables ask for it early)
        gs_psql -c "VACUUM live_board_changes, live_board_changes_compacted, live_board_changes_sums" >/dev/null
    fi
    live_ranks[$want]=$(pgbench_tps "$tmp/ranks1.sql" "$clients" "$secs")
    live_top[$want]=$(pgbench_tps "$tmp/top10.sql" "$clients" "$secs")
    live_around[$want]=$(pgbench_tps "$tmp/around.sql" "$clients" "$secs")
    report "live ranks(1), ${want} changed, compacted" "${live_ranks[$want]}" "$point" tps ">= 0.7x at 10k"
    report "live top(10), ${want} changed" "${live_top[$want]}" "$point" tps ">= 0.5x"
    report "live around(5,5), ${want} changed" "${live_around[$want]}" "$point" tps ">= 0.5x"
    if [ "$want" -eq 10000 ]; then
        # a fold with 1% of the players changed vs PostgreSQL's REFRESH of the same board
        fold=$(time_sql "SELECT gamestats.refresh_leaderboard('live_board')")
        refresh=$(time_sql "REFRESH MATERIALIZED VIEW live_board")
        report "fold (1% changed) vs REFRESH MATERIALIZED VIEW" "$fold" "$refresh" ms "<= 0.5x"
        # REFRESH cut the board from its journal: fold again, then redo the changes
        gs_psql -c "SELECT gamestats.refresh_leaderboard('live_board')" >/dev/null
        gs_psql -c "UPDATE live_src SET score = score + 1 + (player_id % 7)
                     WHERE player_id IN (SELECT 1 + (hashint8(g) & 2147483647) % $BENCH_PLAYERS
                                           FROM generate_series(1, 10000) g)" >/dev/null
        gs_psql -c "SELECT gamestats.refresh_leaderboard('live_board', 'compact')" >/dev/null
        gs_psql -c "VACUUM live_board_changes, live_board_changes_compacted, live_board_changes_sums" >/dev/null
    fi
done
gs_psql -c "SELECT gamestats.refresh_leaderboard('live_board')" >/dev/null
# submits with a compaction and a vacuum of the journal every second beside
# them (as two pg_cron jobs would)
( end=$((SECONDS + secs + 2)); while [ $SECONDS -lt $end ]; do
      gs_psql -c "SELECT gamestats.refresh_leaderboard('live_board', 'compact')" >/dev/null 2>&1
      gs_psql -c "VACUUM live_board_changes" >/dev/null 2>&1; sleep 1
  done ) &
compactor=$!
submit=$(pgbench_tps "$tmp/submit.sql" "$clients" "$secs")
wait $compactor
upsert=$(pgbench_tps "$tmp/upsert.sql" "$clients" "$secs")
report "submit_score('best') vs INSERT ON CONFLICT" "$submit" "$upsert" tps ">= 0.5x"

# Redis 7 sorted set with the same players, no persistence
if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$tmp" --logfile "$tmp/redis.log" >/dev/null
    trap 'redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true; gs_stop' EXIT
    for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    gs_psql -At -c "COPY (SELECT 'ZADD lb ' || score || ' ' || player_id FROM live_src) TO STDOUT" |
        redis-cli -p "$rport" --pipe >/dev/null
    rb() { redis-benchmark -p "$rport" -c "$clients" -r "$BENCH_PLAYERS" -n "$1" -q "${@:2}" |
           awk '{for (i = 1; i <= NF; i++) if ($i ~ /requests/) {print $(i - 1); exit}}'; }
    n=$((secs * 40000))
    zrank=$(rb "$n" ZREVRANK lb __rand_int__)
    zrange=$(rb "$n" ZREVRANGE lb 0 9)
    zaddrank=$(rb "$n" EVAL "redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2]) return redis.call('ZREVRANK', KEYS[1], ARGV[2])" 1 lb __rand_int__ __rand_int__)
    echo "redis: ZREVRANK $zrank/s, ZREVRANGE 0 9 $zrange/s, ZADD GT + ZREVRANK $zaddrank/s ($clients clients)" | tee -a "$GS_DIR/results.txt"
    report "live ranks(1), 10k changed vs Redis ZREVRANK" "${live_ranks[10000]}" "$zrank" tps ">= 0.8x"
    report "live top(10), 10k changed vs Redis ZREVRANGE 0 9" "${live_top[10000]}" "$zrange" tps ">= 0.8x"
    report "live around(5,5), 10k changed vs Redis ZREVRANK" "${live_around[10000]}" "$zrank" tps "report"
    report "submit_score('best') vs Redis ZADD GT + ZREVRANK" "$submit" "$zaddrank" tps ">= 0.4x"
    redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true
else
    echo "redis: skipped, redis-server is not installed (apt-get install redis-server)" | tee -a "$GS_DIR/results.txt"
fi
rm -rf "$tmp"
