#!/usr/bin/env bash
# Builds the image docker.io/library/postgres:18.3 locally from Debian packages, for machines that reach Debian's mirror
# but no container registry (CI): the AppHost's AddPostgres(...).WithImageTag("18.3") then finds it without a pull.
#
# Once per machine: the image carries a label with the hash of its inputs (postgres/Dockerfile,
# postgres/docker-entrypoint.sh and this script); when the local image has the current hash, nothing is done. Needs root
# (debootstrap, chroot) and a running Docker engine (../start-docker.sh).
#
# Steps: debootstrap --variant=minbase of Debian testing (the only suite with postgresql-18; Debian 12 has 15), the
# packages installed into it by apt in a chroot, the tree loaded with `docker import`, then postgres/Dockerfile on top.
#
# Environment (all optional):
#   DEBIAN_MIRROR     Debian mirror for debootstrap and apt (default: the one in /etc/apt/sources.list.d, else deb.debian.org)
#   POSTGRES_IMAGE    tag to build (default docker.io/library/postgres:18.3)
#   FORCE_REBUILD=1   rebuild even when the image is current
set -euo pipefail

image=${POSTGRES_IMAGE:-docker.io/library/postgres:18.3}
suite=testing
pg_major=18
label_key=org.datameesh.ci.inputs-sha256
here=$(cd "$(dirname "$0")" && pwd)
context_src=$here/postgres
self=$here/$(basename "$0")

log() { printf '[postgres-image] %s\n' "$*"; }
die() { printf '[postgres-image] error: %s\n' "$*" >&2; exit 1; }

for input in "$context_src/Dockerfile" "$context_src/docker-entrypoint.sh" "$self"; do
  [ -f "$input" ] || die "missing input $input"
done

# The hash names each input by its path below .ci/images, so a renamed file counts as a change too.
inputs_hash=$(cd "$here" && sha256sum postgres/Dockerfile postgres/docker-entrypoint.sh "$(basename "$self")" | sha256sum | cut -d' ' -f1)

command -v docker >/dev/null 2>&1 || die "no docker command; run .ci/start-docker.sh first"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed); run .ci/start-docker.sh first"

current_hash() { docker image inspect --format "{{ index .Config.Labels \"$label_key\" }}" "$image" 2>/dev/null || true; }

image_is_current() { [ "${FORCE_REBUILD:-0}" != 1 ] && [ "$(current_hash)" = "$inputs_hash" ]; }

if image_is_current; then
  log "$image is current (inputs ${inputs_hash:0:12}); reusing it"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "building $image needs root (debootstrap and chroot); running as uid $(id -u)"

# Two builds at once (CI beside a developer's run) would race on the tag; the second waits and then finds the image current.
lock=/var/lock/datameesh-postgres-image.lock
exec 9>"$lock"
if ! flock -n 9; then
  log "another build of $image is running; waiting for it"
  flock 9
  if image_is_current; then
    log "$image was built meanwhile (inputs ${inputs_hash:0:12}); reusing it"
    exit 0
  fi
fi

previous_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
previous_hash=$(current_hash)
if [ -z "$previous_id" ]; then
  log "no local $image; building it"
elif [ -z "$previous_hash" ]; then
  # Most likely the official image pulled on a developer's machine: the tag is taken over, the image itself is kept.
  log "local $image was not built by this script; building ours under that tag"
else
  log "local $image was built from other inputs (${previous_hash:0:12}, now ${inputs_hash:0:12}); rebuilding"
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || log "warning: apt-get update failed; trying the install with the lists at hand"
  apt-get install -y -qq debootstrap >/dev/null || die "apt-get install debootstrap failed"
fi

# The machine's own mirror: on CI that is the one its apt is set up to reach.
find_mirror() {
  local uri
  uri=$(
    {
      grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ for (i = 2; i <= NF; i++) print $i }'
      grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed -E 's/\[[^]]*\]//' | awk '{ print $2 }'
    } | grep -E '^https?://[^ ]*/debian/?$' | head -n 1
  ) || true
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(find_mirror)}

work=$(mktemp -d "${TMPDIR:-/var/tmp}/postgres-image.XXXXXX")
rootfs=$work/rootfs
base_image=datameesh-ci/postgres-rootfs:${inputs_hash:0:12}
base_imported=0

cleanup() {
  local status=$? mnt
  # Anything still mounted in the tree (a debootstrap or chroot step that died) is unmounted before the tree is deleted,
  # and rm stays on this file system, so a leftover mount can never lead rm into the host's /proc or /sys.
  if [ -d "$rootfs" ]; then
    while read -r mnt; do
      umount -l "$mnt" 2>/dev/null || true
    done < <(awk -v root="$rootfs" 'index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r)
  fi
  rm -rf --one-file-system "$work"
  if [ "$base_imported" = 1 ]; then
    docker rmi "$base_image" >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ]; then
    printf '[postgres-image] error: building %s failed (exit %s)\n' "$image" "$status" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
log "debootstrap --variant=minbase $suite from $mirror"
if ! debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 25 "$work/debootstrap.log" >&2
  [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 25 "$rootfs/debootstrap/debootstrap.log" >&2
  die "debootstrap of Debian $suite from $mirror failed (last lines above)"
fi

# Left out of every package installed from here on: documentation (copyrights kept), manuals and translations.
# (PostgreSQL's own manuals are deleted afterwards instead: update-alternatives refuses a psql.1.gz that is missing.)
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/90-datameesh-slim" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/lintian/*
EOF
# No package may start a service in the chroot: a postgres left running there would outlive the build.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
# postgresql-common's scripts (systemd-tmpfiles) refuse to run without /proc.
mount -t proc proc "$rootfs/proc"

log "installing postgresql-$pg_major into the root filesystem"
# Valid-Until is waived for this build only (the flag is on the command line, nothing stays in the image): the mirror may
# serve testing's Release file after its short validity ran out, and the signature is still checked.
# uid/gid 999 as in the official image, so a volume made by either image has the owner the other expects.
# shellcheck disable=SC2016 # the script is expanded by the chroot's bash, not this one
if ! chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C \
  PG_MAJOR="$pg_major" /bin/bash -euo pipefail -c '
    apt_get() { apt-get -o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0 -qq "$@"; }
    groupadd --system --gid 999 postgres
    useradd --system --gid postgres --uid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres
    apt_get update
    # No cluster of its own: the entrypoint makes one with initdb in PGDATA.
    apt_get install postgresql-common locales
    sed -ri "s/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/" /etc/postgresql-common/createcluster.conf
    grep -qx "create_main_cluster = false" /etc/postgresql-common/createcluster.conf
    apt_get install "postgresql-$PG_MAJOR"
    # en_US.UTF-8 is what the official image initialises with; a volume from either image then starts with the other.
    localedef -i en_US -c -f UTF-8 en_US.UTF-8
    apt_get clean
    dpkg-query -W -f="\${Version}" "postgresql-$PG_MAJOR" >/postgresql-version
  ' >"$work/install.log" 2>&1; then
  tail -n 30 "$work/install.log" >&2
  die "installing postgresql-$pg_major into the Debian $suite root filesystem failed (last lines above)"
fi
umount "$rootfs/proc"
pg_version=$(cat "$rootfs/postgresql-version")

# What only the build needed, and what the packages of debootstrap's own stage brought before the exclusions applied.
rm -f "$rootfs/postgresql-version" "$rootfs/usr/sbin/policy-rc.d"
: >"$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/var/log/apt/* "$rootfs"/var/log/dpkg.log "$rootfs"/var/log/alternatives.log "$rootfs"/var/log/bootstrap.log \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/postgresql/*/man "$rootfs"/usr/share/info/* "$rootfs"/usr/share/lintian/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf '{}' +

log "importing the root filesystem as $base_image"
tar --numeric-owner --xattrs -C "$rootfs" -c . | docker import - "$base_image" >/dev/null \
  || die "docker import of the root filesystem failed"
base_imported=1
rm -rf --one-file-system "$rootfs"

mkdir -p "$work/context"
cp "$context_src/Dockerfile" "$context_src/docker-entrypoint.sh" "$work/context/"
chmod 755 "$work/context/docker-entrypoint.sh"

log "building $image (postgresql-$pg_major $pg_version)"
# The legacy builder resolves FROM against the local images only; BuildKit would first ask a registry about it.
if ! DOCKER_BUILDKIT=0 docker build --quiet \
  --build-arg "BASE_IMAGE=$base_image" \
  --label "$label_key=$inputs_hash" \
  --label "org.datameesh.ci.postgresql-package=postgresql-$pg_major=$pg_version" \
  --label "org.datameesh.ci.debian-suite=$suite" \
  --tag "$image" \
  "$work/context" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  die "docker build of $image failed (output above)"
fi

[ "$(current_hash)" = "$inputs_hash" ] || die "docker build finished but $image does not carry label $label_key=$inputs_hash"
docker run --rm --entrypoint postgres "$image" --version >/dev/null || die "the new $image cannot run postgres --version"

new_id=$(docker image inspect --format '{{.Id}}' "$image")
if [ -n "$previous_id" ] && [ "$previous_id" != "$new_id" ] && [ -n "$previous_hash" ]; then
  # Our own older build, now untagged: remove it unless a container still uses it.
  docker rmi "$previous_id" >/dev/null 2>&1 || true
fi

size=$(docker image inspect --format '{{.Size}}' "$image")
log "built $image (postgresql-$pg_major $pg_version, $((size / 1024 / 1024)) MB, inputs ${inputs_hash:0:12}) in $(($(date +%s) - started))s"
