#!/usr/bin/env bash
# Entrypoint of the CI's own PostgreSQL 18 image (see ../build-postgres-image.sh), which stands in for
# docker.io/library/postgres:18.3 where no registry can be reached. It honours the interface the official image offers and
# Aspire's AddPostgres relies on: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD,
# POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR (each also as *_FILE), /docker-entrypoint-initdb.d, and server arguments
# after the image name (`postgres -c x=y` or just `-c x=y`).
set -Eeuo pipefail

# One prefix for the entrypoint's own lines, on stderr like the server's, so `docker logs` keeps them in order.
say() { printf 'entrypoint: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# VAR, or the contents of the file named by VAR_FILE (Docker and Kubernetes secrets), never both.
env_or_file() {
  local var=$1 default=${2:-} file_var="${1}_FILE" value
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    die "both $var and $file_var are set; they are exclusive"
  fi
  value=$default
  if [ -n "${!var:-}" ]; then
    value=${!var}
  elif [ -n "${!file_var:-}" ]; then
    [ -r "${!file_var}" ] || die "$file_var names ${!file_var}, which cannot be read"
    value=$(<"${!file_var}")
  fi
  export "$var=$value"
  unset "$file_var"
}

# Options with which postgres prints something and exits: no data directory or initialisation is wanted for them.
asks_for_information_only() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      -'?' | --help | --describe-config | -V | --version) return 0 ;;
    esac
  done
  return 1
}

load_settings() {
  env_or_file POSTGRES_PASSWORD
  env_or_file POSTGRES_USER postgres
  # As in the official image, the default database is named after the user.
  env_or_file POSTGRES_DB "$POSTGRES_USER"
  env_or_file POSTGRES_INITDB_ARGS
  env_or_file POSTGRES_INITDB_WALDIR
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  : "${PGDATA:?PGDATA must be set (the image sets /var/lib/postgresql/18/docker)}"
}

# Volumes made for images before 18 hold the cluster directly at /var/lib/postgresql/data; starting a fresh cluster beside
# such data would look like data loss, so refuse with the reason instead.
refuse_old_layout() {
  local old=/var/lib/postgresql/data
  if [ "${PGDATA%/}" != "$old" ] && [ -s "$old/PG_VERSION" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    die "found a PostgreSQL $(cat "$old/PG_VERSION") cluster in $old (where images before 18 kept it), while this image
       keeps its data in PGDATA=$PGDATA under the volume /var/lib/postgresql. Mount the volume at /var/lib/postgresql
       (Aspire does so for tags 18 and later), or set PGDATA=$old to use that cluster as it is (if it is an 18 one)."
  fi
}

# Creates the missing directories down to $1 as postgres's, so that 18/ in a fresh bind mount does not end up root's;
# directories that exist already (the mount itself) are left as they are.
make_directories_for_postgres() {
  local dir=$1
  local -a missing=()
  while [ ! -d "$dir" ]; do
    missing=("$dir" "${missing[@]}")
    dir=$(dirname "$dir")
  done
  for dir in "${missing[@]}"; do
    install -d -o postgres -g postgres -m 755 "$dir"
  done
}

# Runs as root: makes the directories the server writes to belong to postgres, whatever a fresh volume or a bind mount
# brought, so that everything after this can run unprivileged.
prepare_directories_as_root() {
  make_directories_for_postgres "$PGDATA"
  chmod 700 "$PGDATA"
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  mkdir -p /var/run/postgresql
  chmod 3777 /var/run/postgresql
  find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    chmod 700 "$POSTGRES_INITDB_WALDIR"
    find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres:postgres '{}' +
  fi
  # A bind mount whose root is closed to others (mode 700, owned by root) would otherwise fail later with a bare
  # "Permission denied" from initdb or the server.
  if ! setpriv --reuid=postgres --regid=postgres --init-groups -- test -w "$PGDATA" -a -x "$PGDATA"; then
    die "the postgres user (uid $(id -u postgres)) cannot reach $PGDATA, though it owns it: a directory above it is closed
       to it ($(stat -c '%n %A %U' "$(dirname "$PGDATA")" "$(dirname "$(dirname "$PGDATA")")" | paste -sd';')). Make the mount's
       root traversable (chmod o+x) or give it to uid $(id -u postgres)."
  fi
}

# Started with --user: the directories must already be usable by that user, since nothing here can chown them.
prepare_directories_unprivileged() {
  mkdir -p "$PGDATA" || die "cannot create PGDATA=$PGDATA as uid $(id -u): the volume must be writable by that user (or
       start the container as root, which hands it to postgres)"
  chmod 700 "$PGDATA" 2>/dev/null || true
  if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    chmod 700 "$POSTGRES_INITDB_WALDIR" 2>/dev/null || true
  fi
}

check_settings_for_initdb() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    die "the database is not initialised yet and no superuser password is given: set POSTGRES_PASSWORD (or
       POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust to accept every connection without one (not advised)"
  fi
  if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
    say "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every host that reaches port 5432 may connect as any user without a password"
  fi
  # Fail now rather than after initdb if the init scripts cannot even be listed.
  if [ -d /docker-entrypoint-initdb.d ]; then
    ls /docker-entrypoint-initdb.d >/dev/null
  fi
}

run_initdb() {
  local -a args=()
  # eval, not word splitting: POSTGRES_INITDB_ARGS may quote values with spaces, as the official image allows.
  eval "args=($POSTGRES_INITDB_ARGS)"
  if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
    args+=(--waldir "$POSTGRES_INITDB_WALDIR")
  fi
  if [ -n "$POSTGRES_PASSWORD" ]; then
    # A process substitution keeps the password out of the process list and off the disk.
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${args[@]}"
  else
    initdb --username="$POSTGRES_USER" "${args[@]}"
  fi
}

# Remote clients are admitted with POSTGRES_HOST_AUTH_METHOD, or else with the method matching how passwords are stored
# (scram-sha-256 on 18), as in the official image; initdb's own lines keep covering the socket and loopback.
allow_remote_clients() {
  local method=$POSTGRES_HOST_AUTH_METHOD
  shift # the "postgres" in front of the server's arguments
  if [ -z "$method" ]; then
    method=$(postgres -C password_encryption "$@")
  fi
  {
    printf '\n# Added by the image entrypoint: clients on any address.\n'
    printf 'host all all all %s\n' "$method"
  } >>"$PGDATA/pg_hba.conf"
}

# A socket-only server for the initialisation steps: no client can connect to a half-initialised database over TCP.
start_setup_server() {
  shift # the "postgres" in front of the server's arguments
  NOTIFY_SOCKET='' PGUSER="$POSTGRES_USER" \
    pg_ctl -D "$PGDATA" -w -o "$(printf '%q ' "$@" -c listen_addresses='' -p 5432)" start
  setup_server_running=1
}

stop_setup_server() {
  if [ "${setup_server_running:-0}" = 1 ]; then
    PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -m fast -w stop
    setup_server_running=0
  fi
}

# psql against the setup server's socket; --no-password because PGPASSWORD is exported for --auth-local=scram-sha-256.
setup_psql() {
  PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

create_default_database() {
  local exists
  if [ "$POSTGRES_DB" = postgres ]; then
    return 0
  fi
  exists=$(setup_psql --dbname postgres --tuples-only --no-align --set db="$POSTGRES_DB" \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
  if [ -z "$exists" ]; then
    say "creating database $POSTGRES_DB"
    setup_psql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
}

# The official image's init-script contract, so WithInitFiles (which copies to /docker-entrypoint-initdb.d) keeps working.
run_init_files() {
  local f
  local -a db_args=(--dbname "$POSTGRES_DB")
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          say "running $f"
          "$f"
        else
          say "sourcing $f"
          # shellcheck disable=SC1090 # the scripts are the image user's, not known here
          . "$f"
        fi
        ;;
      *.sql) say "running $f"; setup_psql "${db_args[@]}" -f "$f" ;;
      *.sql.gz) say "running $f"; gzip -dc "$f" | setup_psql "${db_args[@]}" ;;
      *.sql.xz) say "running $f"; xz -dc "$f" | setup_psql "${db_args[@]}" ;;
      *.sql.zst) say "running $f"; zstd -dc "$f" | setup_psql "${db_args[@]}" ;;
      *) say "ignoring $f" ;;
    esac
  done
}

initialise() {
  check_settings_for_initdb
  say "initialising a new cluster in $PGDATA"
  # docker stop during initialisation (bash is PID 1 then, and ignores signals it has no trap for) should not wait for
  # the kill timeout; a half-made cluster is what an interrupted official image leaves too.
  trap 'say "stopped during initialisation"; stop_setup_server || true; exit 130' INT TERM
  run_initdb
  allow_remote_clients "$@"
  # Needed for the setup server's socket when POSTGRES_INITDB_ARGS asks for --auth-local=scram-sha-256 (Aspire does).
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  start_setup_server "$@"
  create_default_database
  run_init_files
  stop_setup_server
  unset PGPASSWORD
  trap - INT TERM
  say "initialisation complete; starting the server"
}

main() {
  # A first argument that is an option means "the server, with these options", as in the official image.
  if [ $# -eq 0 ] || [ "${1:0:1}" = - ]; then
    set -- postgres "$@"
  fi

  if [ "$1" != postgres ] || asks_for_information_only "$@"; then
    exec "$@"
  fi

  load_settings
  refuse_old_layout

  if [ "$(id -u)" = 0 ]; then
    prepare_directories_as_root
    # PostgreSQL refuses to run as root; the whole script runs again as postgres so initdb and the server own their files.
    # setpriv (util-linux) is in every Debian base system, unlike gosu.
    HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
  fi
  prepare_directories_unprivileged

  if [ -s "$PGDATA/PG_VERSION" ]; then
    say "PGDATA=$PGDATA already holds a PostgreSQL $(cat "$PGDATA/PG_VERSION") cluster; skipping initialisation"
  else
    initialise "$@"
  fi

  # exec: the server replaces this script as the container's main process, so the stop signal (SIGINT, a fast
  # shutdown) reaches it directly, and it logs to stderr, where docker logs reads.
  exec "$@"
}

main "$@"
