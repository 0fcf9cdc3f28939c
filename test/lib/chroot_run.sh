# Sourced by test/run-tests.sh and test/bench/run.sh: runs one of this
# tree's scripts against another PostgreSQL major version, inside the Debian
# chroot that test/pgchroot.sh makes for it, from a copy of the tree.
#   gs_chroot_run VERSION SCRIPT [VAR=VALUE ...]
# SCRIPT is relative to the top of the tree; the VAR=VALUE pairs are its
# environment (nothing else of ours crosses into the chroot).  Returns the
# script's exit code.
gs_chroot_run() {
    local ver=$1 script=$2 top root rc
    shift 2
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    [ "$(id -u)" -eq 0 ] || { echo "PostgreSQL $ver runs in a chroot: run as root" >&2; return 1; }
    # one run per chroot at a time: they share its build folder, its
    # install and its mounts (made here, released at the end)
    local lockfd cache=${GAMESTATS_CACHE:-/var/cache/pg_gamestats}
    mkdir -p "$cache"
    exec {lockfd}>"$cache/pg$ver.run.lock"
    flock "$lockfd"
    root=$(bash "$top/test/pgchroot.sh" "$ver") || {
        exec {lockfd}>&-; echo "no chroot for PostgreSQL $ver" >&2; return 1; }
    rm -rf "$root/build/pg_gamestats"
    mkdir -p "$root/build/pg_gamestats"
    tar -C "$top" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . | tar -C "$root/build/pg_gamestats" -xf -
    echo "=== PostgreSQL $ver (chroot $root) ==="
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        PG_CONFIG="/usr/lib/postgresql/$ver/bin/pg_config" GAMESTATS_DEPS=none "$@" \
        bash "/build/pg_gamestats/$script"
    rc=$?
    bash "$top/test/pgchroot.sh" --release "$ver"
    exec {lockfd}>&-
    return $rc
}

# true when VERSION is not installed on this machine (so it needs a chroot)
gs_needs_chroot() {
    [ -n "$1" ] && [ ! -x "/usr/lib/postgresql/$1/bin/pg_config" ]
}
