# Harness self-check: the primary-key lookup of one player by a prepared
# statement vs the same lookup by a simple-protocol query (the anchor that
# later benchmarks are compared with). BENCH_BASELINE_SECS (default 5).
secs=${BENCH_BASELINE_SECS:-5}
f=$(mktemp /tmp/bench_baseline.XXXXXX.sql); chmod 644 "$f"
cat > "$f" <<SQL
\set id random(1, $BENCH_PLAYERS)
SELECT * FROM players WHERE player_id = :id;
SQL
ours=$(pgbench_tps "$f" 2 "$secs")
anchor=$(pgbench_tps "$f" 2 "$secs" -M simple)
report "pk lookup: prepared vs simple protocol" "$ours" "$anchor" tps ">= 1 (sanity)"
rm -f "$f"
