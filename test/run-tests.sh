#!/usr/bin/env bash
# `make test`: build with -Werror, install, then run the three suites
# (pg_regress, isolation, TAP), each on a temporary instance.  PostgreSQL
# refuses to run as root, so when invoked as root the suites run as the
# `postgres` user from a copy of the tree.  Prints regression.diffs of any
# failing suite and exits non-zero if any suite failed.
set -uo pipefail

# The suites install into the machine's PostgreSQL: one run at a time.
if [ -z "${GAMESTATS_TEST_LOCKED:-}" ]; then
    export GAMESTATS_TEST_LOCKED=1
    exec flock /tmp/pg_gamestats-suites.lock bash "$0" "$@"
fi

src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
: "${PG_CONFIG:=$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}"
export PG_CONFIG
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
echo "all suites passed: regress, isolation, tap"
[ "$work" != "$src" ] && rm -rf "$work"
exit 0
