#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 with PostGIS for the test suite: a temporary data
# directory, trust authentication on 127.0.0.1 only, a free port. Prints two lines for
# the caller to eval: ENERGISTASJON_TEST_PG (an admin URL) and PG_TEST_PID (stop it with
# `kill -INT $PG_TEST_PID`). PostgreSQL refuses to run as root, so as root it runs as the
# postgres user.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
DIR=$(mktemp -d /tmp/energistasjon-pg.XXXXXX)
chmod 755 "$DIR"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$DIR"
    su postgres -c "$1"
  else
    bash -c "$1"
  fi
}
as_pg "$PGBIN/initdb -D $DIR/data -A trust -U postgres --no-sync" >"$DIR/initdb.log" 2>&1 ||
  { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -l $DIR/pg.log -w -t 60 start" >/dev/null ||
  { cat "$DIR/pg.log" >&2; exit 1; }
echo "export ENERGISTASJON_TEST_PG=postgres://postgres@127.0.0.1:$PORT/postgres"
echo "export PG_TEST_PID=$(head -1 "$DIR/data/postmaster.pid")"
echo "export PG_TEST_DIR=$DIR"
