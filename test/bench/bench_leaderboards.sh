# Leaderboard refreshes (issue 4) beside PostgreSQL's own refreshes of the
# equivalent hand-written materialized view (same ranking query, same three
# indexes, the unique one making CONCURRENTLY possible).
#   BENCH_LB_CHANGED  share of the scores moved before each refresh (default 0.01)
#   BENCH_LB_ROUNDS   refreshes per strategy (default 5)
#   BENCH_LB_CLIENTS  pgbench readers during the reader test (default 4)
changed=${BENCH_LB_CHANGED:-0.01}
rounds=${BENCH_LB_ROUNDS:-5}
clients=${BENCH_LB_CLIENTS:-4}
tmp=$(mktemp -d /tmp/bench_leaderboards.XXXXXX); chmod 777 "$tmp"

hand_mv() {   # name: the hand-written board
    cat <<SQL
CREATE MATERIALIZED VIEW $1 AS
SELECT rank() OVER (ORDER BY score DESC) AS rank, player_id, score
  FROM lb_scores WHERE score IS NOT NULL;
CREATE UNIQUE INDEX ON $1 (player_id);
CREATE INDEX ON $1 (rank, player_id);
CREATE INDEX ON $1 (score);
SQL
}
gs_psql <<SQL >/dev/null
SET client_min_messages = warning;
DROP TABLE IF EXISTS lb_scores CASCADE;
CREATE TABLE lb_scores AS SELECT player_id, rating AS score FROM players;
ALTER TABLE lb_scores ADD PRIMARY KEY (player_id);
SELECT gamestats.create_leaderboard('lb_swap', 'SELECT player_id, score FROM lb_scores');
$(hand_mv lb_concurrently)
$(hand_mv lb_plain)
VACUUM ANALYZE lb_scores, lb_swap, lb_concurrently, lb_plain;
SQL

# the same rounds for every strategy: move 1% of the scores, refresh
move="UPDATE lb_scores SET score = score + 1 + (hashint8(player_id) & 63)::int WHERE random() < $changed"
swap_ms=0; conc_ms=0; plain_ms=0
for ((r = 0; r < rounds; r++)); do
    gs_psql -c "SELECT setseed(0.$r)" -c "$move" >/dev/null
    swap_ms=$(awk -v a="$swap_ms" -v b="$(time_sql "SELECT gamestats.refresh_leaderboard('lb_swap')")" 'BEGIN{print a + b}')
    conc_ms=$(awk -v a="$conc_ms" -v b="$(time_sql "REFRESH MATERIALIZED VIEW CONCURRENTLY lb_concurrently")" 'BEGIN{print a + b}')
    plain_ms=$(awk -v a="$plain_ms" -v b="$(time_sql "REFRESH MATERIALIZED VIEW lb_plain")" 'BEGIN{print a + b}')
done
report "swap refresh vs REFRESH CONCURRENTLY (${rounds}x)" "$swap_ms" "$conc_ms" ms "<= 0.15x"
report "swap refresh vs plain REFRESH (${rounds}x)" "$swap_ms" "$plain_ms" ms "<= 1.1x"

# the boards agree with each other
diff_rows=$(gs_psql -At -c "SELECT count(*) FROM ((TABLE lb_swap EXCEPT TABLE lb_plain) UNION ALL (TABLE lb_plain EXCEPT TABLE lb_swap)) d")
[ "$diff_rows" = 0 ] || echo "leaderboards: lb_swap and lb_plain differ in $diff_rows rows" | tee -a "$GS_DIR/results.txt"

# dead tuples left in each board by its refreshes
gs_psql -c "SELECT pg_stat_force_next_flush()" >/dev/null
sleep 1
dead() { gs_psql -At -c "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = '$1'::regclass"; }
report "dead tuples after ${rounds} refreshes: swap vs CONCURRENTLY" "$(dead lb_swap)" "$(dead lb_concurrently)" tup "0 vs ~N"

# Readers during a refresh: point lookups by player with pgbench; the slowest
# one that ended while a swap refresh ran (or within 1 s after) vs the same
# for a plain REFRESH.  Lookups ending before the refresh started (pgbench's
# own warm-up) are not counted.  On a small machine the readers also compete
# with the refresh for CPU: that shows in both numbers.
for b in lb_swap lb_plain; do
    cat > "$tmp/point_$b.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT rank, score FROM $b WHERE player_id = :id;
SQL
done
slowest_reader() {   # board refresh_sql: max latency (ms) of readers during it
    local board=$1 sql=$2 secs start end
    secs=$(awk -v t="$swap_ms" -v r="$rounds" 'BEGIN{s = int(t / r / 1000) + 5; print s}')
    rm -f "$tmp"/lat.*
    ( cd "$tmp" && as_pg pgbench -n -h "$GS_DIR" -p "$GS_PORT" -f "$tmp/point_$board.sql" \
          -c "$clients" -j "$clients" -T "$secs" -M prepared -l --log-prefix="$tmp/lat" "$GS_DB" >/dev/null 2>&1 ) &
    local pid=$!
    sleep 2
    gs_psql -c "$move" >/dev/null
    start=$(date +%s.%N)
    gs_psql -c "$sql" >/dev/null
    end=$(date +%s.%N)
    wait "$pid"
    cat "$tmp"/lat.* | awk -v s="$start" -v e="$end" \
        '{ t = $5 + $6 / 1e6; if (t >= s && t <= e + 1 && $3 > m) m = $3 } END { printf "%.1f\n", m / 1000 }'
}
ours=$(slowest_reader lb_swap "SELECT gamestats.refresh_leaderboard('lb_swap')")
anchor=$(slowest_reader lb_plain "REFRESH MATERIALIZED VIEW lb_plain")
lt=$(gs_psql -At -c "SELECT gamestats.version()" -c "SHOW gamestats.lock_timeout" | tail -n 1)
report "slowest reader during swap vs plain REFRESH" "$ours" "$anchor" ms "<= 2x gamestats.lock_timeout ($lt)"

gs_psql -c "SELECT gamestats.drop_leaderboard('lb_swap')" -c "DROP MATERIALIZED VIEW lb_concurrently, lb_plain" \
        -c "DROP TABLE lb_scores" >/dev/null
rm -rf "$tmp"
