# Helpers for benchmark files (sourced by run.sh after test/lib/cluster.sh).

# time_sql SQL... : runs the statements in one psql session with \timing and
# prints the total milliseconds they took (server round trips included, no
# connection set-up).
time_sql() {
    local args=(-c '\timing on') s
    for s in "$@"; do args+=(-c "$s"); done
    gs_psql "${args[@]}" | awk '/^Time: /{t += $2} END {printf "%.1f\n", t}'
}

# best_of N SQL : runs the statement once to warm the session's caches, then
# N times more in the same session, and prints the fastest run in ms.
best_of() {
    local n=$1 sql=$2 i
    local args=(-o /dev/null -c "$sql" -c '\timing on')
    for ((i = 0; i < n; i++)); do args+=(-c "$sql"); done
    gs_psql "${args[@]}" | awk '/^Time: /{ if (best == "" || $2 < best) best = $2 } END {printf "%.2f\n", best}'
}

# pgbench_tps SCRIPT_FILE CLIENTS SECONDS [extra pgbench args] : throughput.
pgbench_tps() {
    local script=$1 clients=$2 secs=$3
    shift 3
    as_pg pgbench -n -h "$GS_DIR" -p "$GS_PORT" -f "$script" -c "$clients" -j "$clients" \
        -T "$secs" -M prepared "$@" "$GS_DB" 2>/dev/null |
        awk '/^tps = /{print $3; exit}'
}

# report NAME OURS ANCHOR UNIT GOAL : one result line.  UNIT is "ms" (lower
# is better) or "tps" (higher is better); the ratio is always ours/anchor.
report() {
    local name=$1 ours=$2 anchor=$3 unit=$4 goal=$5
    local ratio
    ours=$(awk -v v="$ours" 'BEGIN{printf "%.1f", v}')
    anchor=$(awk -v v="$anchor" 'BEGIN{printf "%.1f", v}')
    ratio=$(awk -v a="$ours" -v b="$anchor" 'BEGIN{ if (b > 0) printf "%.3f", a / b; else print "n/a" }')
    printf '%-44s ours %10s %-3s  anchor %10s %-3s  ratio %7sx  (goal %s)\n' \
        "$name" "$ours" "$unit" "$anchor" "$unit" "$ratio" "$goal" | tee -a "$GS_DIR/results.txt"
}
