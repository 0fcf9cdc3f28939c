# Helpers for benchmark files (sourced by run.sh after test/lib/cluster.sh).

# time_sql SQL... : runs the statements in one psql session with \timing and
# prints the total milliseconds they took (server round trips included, no
# connection set-up).
time_sql() {
    local args=(-c '\timing on') s
    for s in "$@"; do args+=(-c "$s"); done
    gs_psql "${args[@]}" | awk '/^Time: /{t += $2} END {printf "%.1f\n", t}'
}

# best_of N SQL... : the fastest of N runs of time_sql.
best_of() {
    local n=$1 best="" t i
    shift
    for ((i = 0; i < n; i++)); do
        t=$(time_sql "$@")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$t; fi
    done
    echo "$best"
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
