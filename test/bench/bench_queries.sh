# Batched player lookups and rank queries (issue 5) beside their SQL anchors.
#   BENCH_QUERY_SECS   seconds per pgbench run (default 10)
#   BENCH_LOOKUP_ROWS  rows of the table used by lookup() (default 10000000)
secs=${BENCH_QUERY_SECS:-10}
lookup_rows=${BENCH_LOOKUP_ROWS:-10000000}
tmp=$(mktemp -d /tmp/bench_queries.XXXXXX); chmod 755 "$tmp"

gs_psql <<SQL >/dev/null
CREATE TABLE IF NOT EXISTS ratings AS SELECT player_id, rating AS score, region FROM players;
SELECT gamestats.create_leaderboard('q_board', 'SELECT player_id, score FROM ratings');
CREATE TABLE IF NOT EXISTS players_big (player_id bigint PRIMARY KEY, name text NOT NULL, rating int NOT NULL);
INSERT INTO players_big SELECT i, 'player_' || i, (hashint8(i) & 4095) FROM generate_series(1, $lookup_rows) i
    ON CONFLICT DO NOTHING;
VACUUM ANALYZE q_board;
VACUUM ANALYZE players_big;
SQL

# one rank: ranks(ARRAY[id]) vs the prepared point query on the board
cat > "$tmp/point.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM q_board WHERE player_id = :id;
SQL
cat > "$tmp/ranks1.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM gamestats.ranks(NULL::q_board, ARRAY[:id]::bigint[]);
SQL
cat > "$tmp/around.sql" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM gamestats.around(NULL::q_board, :id::bigint, 5, 5);
SQL
point=$(pgbench_tps "$tmp/point.sql" 2 "$secs")
ranks1=$(pgbench_tps "$tmp/ranks1.sql" 2 "$secs")
around=$(pgbench_tps "$tmp/around.sql" 2 "$secs")
report "ranks(1 player) vs prepared point query" "$ranks1" "$point" tps ">= 0.9x"
report "around(5,5) vs prepared point query" "$around" "$point" tps ">= 0.8x"

# 1000 players: one call vs the best SQL form vs 1000 prepared queries
ids=$(gs_psql -At -c "SELECT string_agg((1 + (hashint8(g) & 2147483647) % $BENCH_PLAYERS)::text, ',') FROM generate_series(1, 1000) g")
big_ids=$(gs_psql -At -c "SELECT string_agg((1 + (hashint8(g) & 2147483647) % $lookup_rows)::text, ',') FROM generate_series(1, 1000) g")
# whole rows go to the client in both forms (a count(*) would let the planner
# skip the heap)
ours=$(best_of 10 "SELECT * FROM gamestats.ranks(NULL::q_board, '{$ids}'::bigint[])")
sqlform=$(best_of 10 "SELECT b.* FROM unnest('{$ids}'::bigint[]) WITH ORDINALITY k(id, o) JOIN q_board b ON b.player_id = k.id ORDER BY k.o")
{
    echo "PREPARE q(bigint) AS SELECT * FROM q_board WHERE player_id = \$1;"
    echo '\timing on'
    tr ',' '\n' <<<"$ids" | sed 's/.*/EXECUTE q(&);/'
} > "$tmp/single.sql"
single=$(cat "$tmp/single.sql" <(echo 'DEALLOCATE q;') "$tmp/single.sql" | gs_psql -o /dev/null -f - | awk '/^Time: /{n++; if (n > 1002) t += $2} END {printf "%.1f\n", t}')
report "ranks(1000 players) vs unnest join" "$ours" "$sqlform" ms "<= 0.7x"
report "ranks(1000 players) vs 1000 prepared queries" "$ours" "$single" ms "<= 0.05x (20x faster)"

ours=$(best_of 10 "SELECT * FROM gamestats.lookup(NULL::players_big, '{$big_ids}'::bigint[])")
sqlform=$(best_of 10 "SELECT p.* FROM unnest('{$big_ids}'::bigint[]) WITH ORDINALITY k(id, o) JOIN players_big p ON p.player_id = k.id ORDER BY k.o")
{
    echo "PREPARE q(bigint) AS SELECT * FROM players_big WHERE player_id = \$1;"
    echo '\timing on'
    tr ',' '\n' <<<"$big_ids" | sed 's/.*/EXECUTE q(&);/'
} > "$tmp/single_big.sql"
single=$(cat "$tmp/single_big.sql" <(echo 'DEALLOCATE q;') "$tmp/single_big.sql" | gs_psql -o /dev/null -f - | awk '/^Time: /{n++; if (n > 1002) t += $2} END {printf "%.1f\n", t}')
report "lookup(1000 keys, ${lookup_rows} rows) vs unnest join" "$ours" "$sqlform" ms "<= 0.7x"
report "lookup(1000 keys) vs 1000 prepared queries" "$ours" "$single" ms "<= 0.05x (20x faster)"

# rank a score would get, mid-table
mid=$(gs_psql -At -c "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY score) FROM q_board")
ours=$(best_of 10 "SELECT gamestats.rank_for_score(NULL::q_board, $mid)")
anchor=$(best_of 10 "SELECT 1 + count(*) FROM q_board WHERE score > $mid")
report "rank_for_score(mid-table) vs 1 + count(*)" "$ours" "$anchor" ms "report"
rm -rf "$tmp"
