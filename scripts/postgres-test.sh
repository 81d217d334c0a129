#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for fnaudit's store tests and prints
# its DSN on stdout; everything else goes to stderr.
#
#   export FNAUDIT_TEST_POSTGRES="$(scripts/postgres-test.sh)"
#   go test ./store/...
#   scripts/postgres-test.sh stop "$FNAUDIT_TEST_POSTGRES"
#
# The server uses Debian's postgresql package (installed with apt-get when
# missing and run as root), a data directory under a new temp dir, and only
# a unix socket in that dir: no TCP port, so it cannot collide with another
# server on the machine. As root, the server runs as the postgres user
# (PostgreSQL refuses to run as root). Authentication is trust: test only.
set -euo pipefail

log() { echo "postgres-test: $*" >&2; }

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "PostgreSQL is not installed: run 'apt-get install postgresql' as root"
      exit 1
    fi
    log "installing Debian's postgresql package"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

# as runs a command as the server's user: postgres when we are root.
as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  local dsn=$1 sock
  sock=${dsn##*host=}
  sock=${sock%%&*}
  if [ -z "$sock" ] || [ ! -d "$sock/data" ]; then
    log "no server of this script in: $dsn"
    exit 1
  fi
  as "$(bindir)/pg_ctl" -D "$sock/data" -m immediate stop >&2 || true
  rm -rf "$sock"
}

start() {
  local bin base
  bin=$(bindir)
  base=$(mktemp -d "${TMPDIR:-/tmp}/fnaudit-pg.XXXXXX")
  chmod 755 "$base"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$base"; fi
  as "$bin/initdb" -D "$base/data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$base/initdb.log" 2>&1 ||
    { cat "$base/initdb.log" >&2; exit 1; }
  as "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $base -c fsync=off -c max_connections=200" start >&2 ||
    { cat "$base/server.log" >&2; exit 1; }
  as "$bin/createdb" -h "$base" -U postgres fnaudit >&2
  log "server running; stop it with: $0 stop 'postgres://postgres@/fnaudit?host=$base'"
  echo "postgres://postgres@/fnaudit?host=$base"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:?usage: $0 stop DSN}" ;;
  *) log "usage: $0 [start | stop DSN]"; exit 2 ;;
esac
