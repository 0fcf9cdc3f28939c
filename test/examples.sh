#!/usr/bin/env bash
# `make examples`: the service examples against a real database.  Starts a
# throwaway cluster (test/lib/cluster.sh), loads examples/schema.sql, then
# runs examples/node's tests (npm ci, node --test) and examples/python's
# (unittest, Debian's python3-psycopg), both connected as the read-only
# role game_api through PG* variables.  Non-zero if either fails.
#   EXAMPLES_DIR (default /tmp/pg_gamestats_examples), EXAMPLES_PORT
#   (default 55433); GAMESTATS_NO_INSTALL=1 skips building and installing
#   the extension (when `make test` just did).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export GS_DIR=${EXAMPLES_DIR:-/tmp/pg_gamestats_examples}
export GS_PORT=${EXAMPLES_PORT:-55433}
export GS_DB=gamestats_examples
. "$src/test/lib/cluster.sh"

sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "examples: installing nodejs and npm"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi
python=/usr/bin/python3          # Debian's, which python3-psycopg belongs to
"$python" -c 'import psycopg' 2>/dev/null || {
    echo "examples: $python has no psycopg (apt-get install python3-psycopg; test/deps.sh does)" >&2
    exit 1
}

[ -n "${GAMESTATS_NO_INSTALL:-}" ] || gs_build_install "$src"
trap gs_stop EXIT
gs_start
gs_psql -U postgres -f - < "$src/examples/schema.sql" >/dev/null

export PGHOST=$GS_DIR PGPORT=$GS_PORT PGDATABASE=$GS_DB PGUSER=game_api
failed=()
echo "=== examples/node"
if ! (cd "$src/examples/node" && npm ci --no-audit --no-fund --loglevel=error && node --test test/); then
    failed+=(node)
fi
echo "=== examples/python"
if ! (cd "$src/examples/python" && PYTHONDONTWRITEBYTECODE=1 "$python" -m unittest -v); then
    failed+=(python)
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED examples: ${failed[*]}"
    exit 1
fi
echo "examples passed: node, python"
