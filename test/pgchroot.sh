#!/usr/bin/env bash
# Makes (or reuses) a Debian chroot that carries PostgreSQL VERSION, for the
# versions this machine's own Debian release lacks, and prints its path.
#
#   test/pgchroot.sh 17|18|19          make or reuse it, mount /proc and /dev
#   test/pgchroot.sh --release 17|18|19   unmount them again
#
# 17 comes from trixie, 18 from forky, 19 from sid with experimental (19 has
# no pg_cron there).  Chroots live under one cache folder, $GAMESTATS_CACHE
# (default /var/cache/pg_gamestats), and are reused when complete.  The
# mirror is the one this machine's own apt sources use: nothing about it is
# written here.  Needs root (debootstrap, chroot).
set -euo pipefail

release=
if [ "${1:-}" = --release ]; then release=1; shift; fi
ver=${1:?usage: pgchroot.sh [--release] 17|18|19}
cache=${GAMESTATS_CACHE:-/var/cache/pg_gamestats}
dir=$cache/pg$ver

case $ver in
    17) suite=trixie ;;
    18) suite=forky ;;
    19) suite=sid ;;
    *) echo "pgchroot: no chroot recipe for PostgreSQL $ver (17, 18 or 19)" >&2; exit 2 ;;
esac

log() { echo "pgchroot[$ver]: $*" >&2; }

# The Debian mirror of this machine's own apt sources (deb822 or one-line).
mirror() {
    local m
    m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
    if [ -z "$m" ]; then
        m=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '{ for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { print $i; exit } }' |
            grep -E '/debian/?$' | head -n1 || true)
    fi
    [ -n "$m" ] || { echo "pgchroot: no Debian mirror found in /etc/apt sources" >&2; exit 1; }
    echo "${m%/}"
}

# Kernel file systems the servers need (shared memory in /dev/shm, /proc).
mount_fs() {
    local d=$1
    mountpoint -q "$d/proc" || mount -t proc proc "$d/proc"
    mountpoint -q "$d/dev" || mount --bind /dev "$d/dev"
    mountpoint -q "$d/dev/shm" || mount -t tmpfs -o mode=1777 shm "$d/dev/shm"
    mountpoint -q "$d/dev/pts" || mount -t devpts devpts "$d/dev/pts" 2>/dev/null || true
}

umount_fs() {
    local d=$1 m
    for m in dev/pts dev/shm dev proc; do
        if mountpoint -q "$d/$m"; then umount "$d/$m" || umount -l "$d/$m"; fi
    done
}

if [ -n "$release" ]; then
    [ -d "$dir" ] && umount_fs "$dir"
    exit 0
fi

# one maker per chroot at a time (CI makes them in the background)
mkdir -p "$cache"
exec 9>"$cache/pg$ver.lock"
flock 9

# What the suites need inside (the exporter for the TAP test of
# contrib/postgres_exporter; pg_cron and pg_partman where packaged).
pkgs=(postgresql-$ver postgresql-server-dev-$ver libipc-run-perl build-essential make
      perl locales-all procps
      prometheus-postgres-exporter)
[ "$ver" != 19 ] && pkgs+=(postgresql-$ver-cron postgresql-$ver-partman)
want="${pkgs[*]}"

if [ -f "$dir/.gamestats-ready" ] && [ "$(cat "$dir/.gamestats-ready")" = "$want" ]; then
    mount_fs "$dir"
    echo "$dir"
    exit 0
fi

command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

mkdir -p "$cache"
m=$(mirror)
if [ ! -x "$dir/usr/bin/apt-get" ] || [ ! -f "$dir/.gamestats-base" ]; then
    [ -d "$dir" ] && umount_fs "$dir"   # never delete through a bind mount of /dev
    rm -rf --one-file-system "$dir"
    log "debootstrap $suite into $dir (a few minutes)"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$dir" "$m" \
        /usr/share/debootstrap/scripts/sid >"$cache/pg$ver.debootstrap.log" 2>&1 || {
        tail -n 30 "$cache/pg$ver.debootstrap.log" >&2; exit 1; }
    touch "$dir/.gamestats-base"
fi

# No service starts inside the chroot, and installing the server makes no
# cluster: the tests make their own.
printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
chmod 755 "$dir/usr/sbin/policy-rc.d"
mkdir -p "$dir/etc/postgresql-common"
echo "create_main_cluster = false" >"$dir/etc/postgresql-common/createcluster.conf"

{
    echo "deb $m $suite main"
    [ "$ver" = 19 ] && echo "deb $m experimental main"
} >"$dir/etc/apt/sources.list"
rm -f "$dir/etc/apt/sources.list.d/"*.sources 2>/dev/null || true
if [ "$ver" = 19 ]; then
    # experimental is never chosen by default: pin PostgreSQL 19 to it.
    cat >"$dir/etc/apt/preferences.d/pg19" <<'EOF'
Package: postgresql-19 postgresql-server-dev-19 postgresql-client-19 libpq5 libpq-dev postgresql-common postgresql-client-common postgresql-common-dev
Pin: release a=experimental
Pin-Priority: 600
EOF
fi


mount_fs "$dir"
apt_opts=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -y -qq)
log "installing ${pkgs[*]}"
chroot "$dir" env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get "${apt_opts[@]}" update >/dev/null
chroot "$dir" env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get "${apt_opts[@]}" install "${pkgs[@]}" \
    >"$cache/pg$ver.apt.log" 2>&1 || { tail -n 30 "$cache/pg$ver.apt.log" >&2; exit 1; }
[ -x "$dir/usr/lib/postgresql/$ver/bin/pg_config" ] || {
    echo "pgchroot: PostgreSQL $ver did not install into $dir" >&2; exit 1; }
echo "$want" >"$dir/.gamestats-ready"
log "ready: $(chroot "$dir" /usr/lib/postgresql/$ver/bin/pg_config --version)"
echo "$dir"
