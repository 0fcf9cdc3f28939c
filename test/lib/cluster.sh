# Shared by the demo and the benchmarks: a throwaway cluster of its own
# (data directory, port, socket directory), with pg_cron preloaded where
# this PostgreSQL has it, run as
# the `postgres` user when invoked as root.
#   GS_DIR   directory holding data/, log and the socket
#   GS_PORT  port
#   GS_DB    database to create with the extensions
: "${PG_CONFIG:=$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}"
GS_BINDIR=$("$PG_CONFIG" --bindir)
GS_RUNNER=${GS_RUNNER:-postgres}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$GS_RUNNER" -- env PATH="$GS_BINDIR:$PATH" "$@"
    else
        env PATH="$GS_BINDIR:$PATH" "$@"
    fi
}

# psql into $GS_DB; extra arguments are passed on.
gs_psql() {
    as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$GS_DIR" -p "$GS_PORT" -d "$GS_DB" "$@"
}

gs_build_install() {
    local src=$1
    make -s -C "$src" >/dev/null
    if [ "$(id -u)" -eq 0 ]; then make -s -C "$src" install >/dev/null
    else sudo make -s -C "$src" install PG_CONFIG="$PG_CONFIG" >/dev/null; fi
}

# gs_start EXTRA_CONF_LINES...
gs_start() {
    if [ -f "$GS_DIR/data/postmaster.pid" ]; then
        echo "a cluster is already running in $GS_DIR (stop it first)" >&2
        return 1
    fi
    rm -rf "$GS_DIR"
    mkdir -p "$GS_DIR"
    [ "$(id -u)" -eq 0 ] && chown "$GS_RUNNER" "$GS_DIR"
    as_pg initdb -D "$GS_DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
    {
        echo "port = $GS_PORT"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$GS_DIR'"
        if [ -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
            echo "shared_preload_libraries = 'pg_cron'"
            echo "cron.database_name = '$GS_DB'"
            echo "cron.use_background_workers = on"
        fi
        echo "max_worker_processes = 16"
        for line in "$@"; do echo "$line"; done
    } | as_pg tee -a "$GS_DIR/data/postgresql.conf" >/dev/null
    as_pg pg_ctl -D "$GS_DIR/data" -l "$GS_DIR/server.log" -w start >/dev/null
    as_pg createdb -h "$GS_DIR" -p "$GS_PORT" -U postgres "$GS_DB"
    if [ -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
        GS_DB=$GS_DB gs_psql -U postgres -c "CREATE EXTENSION pg_cron"
    fi
    GS_DB=$GS_DB gs_psql -U postgres -c "CREATE EXTENSION pg_gamestats"
}

gs_stop() {
    if [ -f "$GS_DIR/data/postmaster.pid" ]; then
        as_pg pg_ctl -D "$GS_DIR/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$GS_DIR"
}
