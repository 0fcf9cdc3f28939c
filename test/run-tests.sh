#!/usr/bin/env bash
# `make test`: build with -Werror, install, then run the three suites
# (pg_regress, isolation, TAP), each on a temporary instance.  PostgreSQL
# refuses to run as root, so when invoked as root the suites run as the
# `postgres` user from a copy of the tree.  Prints regression.diffs of any
# failing suite and exits non-zero if any suite failed.
#
# PG=NN (make test PG=17) runs the same suites on another major version:
# the machine's own when it has that version's server and headers, otherwise
# in a Debian chroot made (or reused) by test/pgchroot.sh, into which this
# tree is copied.
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
PG=${PG:-}
host_pg=15   # Debian 12's PostgreSQL, installed by test/deps.sh

if [ "${GAMESTATS_DEPS:-}" != none ] && { [ -z "$PG" ] || [ "$PG" = "$host_pg" ]; }; then
    bash "$src/test/deps.sh" || exit 1
fi
. "$src/test/lib/chroot_run.sh"
if gs_needs_chroot "$PG"; then
    gs_chroot_run "$PG" test/run-tests.sh
    exit $?
fi
if [ -n "$PG" ]; then
    PG_CONFIG=/usr/lib/postgresql/$PG/bin/pg_config
fi

# The suites install into this machine's PostgreSQL: one run at a time
# (unless a caller already holds this lock for us: waiting would deadlock).
lockfile=/tmp/pg_gamestats-suites.lock
caller_holds_lock() {
    local pid=$PPID
    while [ "$pid" -gt 1 ] 2>/dev/null; do
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "flock.*$lockfile" && return 0
        pid=$(awk '/^PPid:/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 1)
    done
    return 1
}
if [ -z "${GAMESTATS_TEST_LOCKED:-}" ] && ! caller_holds_lock; then
    export GAMESTATS_TEST_LOCKED=1 PG_CONFIG
    exec flock "$lockfile" bash "$0" "$@"
fi

: "${PG_CONFIG:=$(command -v /usr/lib/postgresql/$host_pg/bin/pg_config || command -v pg_config)}"
export PG_CONFIG
echo "=== $("$PG_CONFIG" --version) ==="

# pg_cron is not packaged for every version: without it the suites run
# without preloading it, and the tests that need it are skipped (each says so).
if [ -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
    export GAMESTATS_HAVE_CRON=1
else
    export GAMESTATS_HAVE_CRON=0
    echo "pg_cron is not packaged for $("$PG_CONFIG" --version): tests that need it are skipped"
fi
runner=${GAMESTATS_TEST_USER:-postgres}

make -s clean >/dev/null 2>&1 || true
make PG_CFLAGS="-Werror" || { echo "build failed" >&2; exit 1; }
if [ "$(id -u)" -eq 0 ]; then
    make install >/dev/null || exit 1
else
    sudo make install PG_CONFIG="$PG_CONFIG" >/dev/null || exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    work=$(mktemp -d /tmp/pg_gamestats_test.XXXXXX)
    tar --exclude=.git -cf - . | tar -C "$work" -xf -
    chown -R "$runner" "$work"
    as_runner() { runuser -u "$runner" -- env PG_CONFIG="$PG_CONFIG" PATH="$PATH" "$@"; }
else
    work=$src
    as_runner() { "$@"; }
fi

failed=()
for suite in regress isolation tap; do
    echo "=== $suite ==="
    if ! (cd "$work" && as_runner make -s "check-$suite"); then
        failed+=("$suite")
    fi
done

# The service examples (node-postgres, psycopg 3) run beside this machine's
# own PostgreSQL; the chroots of the other versions carry no Node.js.
if [ "${GAMESTATS_DEPS:-}" != none ]; then
    echo "=== examples ==="
    GAMESTATS_NO_INSTALL=1 bash "$src/test/examples.sh" || failed+=(examples)
else
    echo "=== examples: skipped on $("$PG_CONFIG" --version) (they run beside PostgreSQL $host_pg: make test)"
fi

for d in sql_output test_output; do
    if [ -s "$work/$d/regression.diffs" ]; then
        echo "=== $work/$d/regression.diffs ==="
        cat "$work/$d/regression.diffs"
    fi
done
if printf '%s\n' "${failed[@]+"${failed[@]}"}" | grep -q tap; then
    for f in "$work"/tmp_check/log/regress_log_*; do
        [ -f "$f" ] || continue
        echo "=== $f (last 60 lines) ==="
        tail -n 60 "$f"
    done
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED suites: ${failed[*]} (outputs kept in $work)"
    exit 1
fi
echo "all suites passed: regress, isolation, tap${GAMESTATS_DEPS:+}$([ "${GAMESTATS_DEPS:-}" != none ] && echo ", examples")"
[ "$work" != "$src" ] && rm -rf "$work"
exit 0
