# pg_server.bash: a throw-away PostgreSQL server for the tests that use a
# PostgreSQL store (sourced, not run). Every such test uses it.
#
#   . "$SRC/tests/pg_server.bash"
#   pg_start                        # fails the test (exit 1) when it cannot
#   uri=$(pg_newdb net)             # an empty database: its connection URI
#   "$LCME" run batch.ini           # with store = $uri in the batch
#   pg_sql net "SELECT count(*) FROM observation"
#   pg_halt; pg_resume              # stop the server mid-test, start it again
#
# An end-to-end test (tests/e2e) begins with
#
#   LCME=$1 SRC=$2
#   . "$SRC/tests/e2e/lib.bash"
#   . "$SRC/tests/pg_server.bash"
#   pg_e2e_begin                    # LCME made absolute, pg_start, cd "$TMP"
#
# The server (Debian's postgresql package, the newest version installed) is
# made with initdb in a new folder under /tmp and listens on a Unix socket in
# that folder only (no TCP). The server cannot run as root, and the tests
# do: as root it runs as the package's `postgres` user, otherwise as the
# user running the test. Its one role, lcme, has a random password that
# only PGPASSWORD (exported here) or a password file gives: clients connect
# as a network officer would, never with a password in the URI.
#
# pg_start chains pg_stop before the test's own EXIT trap, so the server is
# stopped and its folder removed whatever way the test ends; a watchdog
# stops it within a second if the test is killed outright (SIGKILL, a ctest
# timeout). A server that cannot be made or started is a failure, never a
# skip: the message and the server's log go to stderr and the test exits 1.

PG_DIR= PG_BIN= PG_RUNAS= PG_WATCHDOG=

# pg_as CMD...: run a server program as the server's user, in its folder.
pg_as() {
    if [ -n "$PG_RUNAS" ]; then
        (cd "$PG_DIR" && runuser -u "$PG_RUNAS" -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

pg_fail() {
    echo "FAIL: PostgreSQL test server: $*" >&2
    [ -n "$PG_DIR" ] && [ -f "$PG_DIR/log" ] && sed 's/^/  server log: /' "$PG_DIR/log" >&2
    exit 1
}

pg_start() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
        pg_fail "no initdb or pg_ctl under /usr/lib/postgresql (install the postgresql package: ./build.sh build)"
    command -v psql >/dev/null || pg_fail "no psql (install the postgresql package)"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || pg_fail "running as root and there is no 'postgres' user to run the server as"
        command -v runuser >/dev/null || pg_fail "running as root without runuser"
        PG_RUNAS=postgres
    fi
    PG_DIR=$(mktemp -d /tmp/lcme-pg.XXXXXX) || pg_fail "cannot make a folder under /tmp"
    chmod 755 "$PG_DIR"
    mkdir "$PG_DIR/data" "$PG_DIR/sock"
    PGPASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$PGPASSWORD" > "$PG_DIR/pw"
    [ -n "$PG_RUNAS" ] && chown -R "$PG_RUNAS" "$PG_DIR"
    chmod 700 "$PG_DIR/data"

    # stopped and removed however the test ends: before the test's own trap
    local prev
    prev=$(trap -p EXIT)
    if [ -n "$prev" ]; then
        eval "set -- $prev"
        PG_PREV_TRAP=$3
    else
        PG_PREV_TRAP=:
    fi
    trap 'pg_stop; eval "$PG_PREV_TRAP"' EXIT

    pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U lcme --pwfile="$PG_DIR/pw" \
        -A scram-sha-256 -E UTF8 --locale=C > "$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log" >&2; pg_fail "initdb failed"; }
    rm -f "$PG_DIR/pw"
    export PGPASSWORD PGHOST=$PG_DIR/sock PGUSER=lcme PGPORT=5432
    pg_resume
    local self=$$
    ( trap '' HUP INT TERM
      while kill -0 "$self" 2>/dev/null; do sleep 1; done
      pg_as "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate
      rm -rf "$PG_DIR" ) >/dev/null 2>&1 &
    PG_WATCHDOG=$!
    disown "$PG_WATCHDOG" 2>/dev/null || true
}

pg_e2e_begin() {
    LCME=$(cd "$(dirname "$LCME")" && pwd)/$(basename "$LCME")
    pg_start
    cd "$TMP" || pg_fail "no folder $TMP"
}

# pg_resume: start the (stopped) server and wait until it accepts connections.
pg_resume() {
    pg_as "$PG_BIN/pg_ctl" start -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/log" \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR/sock' -c port=5432" \
        > /dev/null 2>&1 || pg_fail "pg_ctl start failed"
}

# pg_halt [MODE]: stop the server (fast: sessions are cut, as an
# administrator's shutdown does; immediate: as a crash).
pg_halt() {
    pg_as "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m "${1:-fast}" -w > /dev/null 2>&1
}

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    [ -n "$PG_WATCHDOG" ] && kill "$PG_WATCHDOG" 2>/dev/null
    pg_halt fast || pg_halt immediate
    rm -rf "$PG_DIR"
    PG_DIR= PG_WATCHDOG=
}

# pg_newdb NAME: a new, empty database; prints its connection URI.
pg_newdb() {
    psql -X -q -d postgres -c "CREATE DATABASE \"$1\"" > /dev/null ||
        pg_fail "cannot create database $1"
    echo "postgresql://lcme@/$1?host=$PG_DIR/sock&port=5432"
}

# pg_sql DB SQL: the query's rows, unaligned, '|' between columns.
pg_sql() {
    psql -X -q -A -t -d "$1" -c "$2"
}
