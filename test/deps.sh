#!/usr/bin/env bash
# Installs what building, testing and running the demo need, when missing:
# PostgreSQL 15 server (with pgbench) and headers, pg_cron, pg_partman (the
# benchmark peer), the Perl module the TAP tests use, Debian's
# postgres_exporter (the TAP test of contrib/postgres_exporter) and psycopg 3
# (examples/python), and redis-server (the peer of the live-board
# benchmark).  Uses sudo when not root.
set -euo pipefail

pkgs=(postgresql-15 postgresql-server-dev-15 postgresql-15-cron
      postgresql-15-partman libipc-run-perl build-essential
      prometheus-postgres-exporter python3-psycopg redis-server)
missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
