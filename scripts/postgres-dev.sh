#!/usr/bin/env bash
# A throwaway PostgreSQL for development and tests.
#   postgres-dev.sh start <dir> <port>   initdb into <dir>/data when empty, start on 127.0.0.1:<port>, wait until it
#                                        accepts connections, print the admin connection string
#   postgres-dev.sh stop <dir>           stop it (nothing to do when it is not running)
# The socket lives in <dir> and the log in <dir>/postgres.log. initdb and postgres refuse to run as root, so as root
# they run as the postgres user that the Debian package creates, and <dir> is handed to that user.
set -euo pipefail

usage() {
    echo "usage: $0 start <dir> <port> | stop <dir>" >&2
    exit 2
}

pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [[ ! -x $pg_bin/initdb ]]; then
    echo "postgres-dev: PostgreSQL is not installed (run scripts/install-deps.sh)" >&2
    exit 1
fi

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running_port() {
    # Line 4 of postmaster.pid is the port of a running server.
    as_server_user "$pg_bin/pg_ctl" -D "$1/data" status >/dev/null 2>&1 && sed -n 4p "$1/data/postmaster.pid"
}

start() {
    local dir=$1 port=$2
    [[ $port =~ ^[0-9]+$ ]] || usage
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)

    if [[ $(id -u) -eq 0 ]]; then
        chown postgres:postgres "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            echo "postgres-dev: the postgres user cannot reach $dir (every parent directory needs o+x)" >&2
            exit 1
        fi
    fi

    local current
    if current=$(running_port "$dir"); then
        if [[ $current != "$port" ]]; then
            echo "postgres-dev: $dir is already served on port $current, not $port" >&2
            exit 1
        fi
        echo "Host=127.0.0.1;Port=$port;Username=postgres"
        return
    fi

    if [[ ! -f $dir/data/PG_VERSION ]]; then
        if ! as_server_user "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C \
                --no-instructions >"$dir/initdb.log" 2>&1; then
            echo "postgres-dev: initdb failed:" >&2
            cat "$dir/initdb.log" >&2
            exit 1
        fi
        # In the configuration rather than on the command line: the socket path may contain spaces.
        as_server_user tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF

# postgres-dev.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
max_connections = 300
CONF
    fi

    if ! as_server_user "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "-p $port" -w -t 60 start \
            >/dev/null 2>&1; then
        echo "postgres-dev: PostgreSQL did not start on port $port; end of $dir/postgres.log:" >&2
        tail -n 20 "$dir/postgres.log" >&2
        exit 1
    fi

    local attempt
    for attempt in $(seq 120); do
        if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
            echo "Host=127.0.0.1;Port=$port;Username=postgres"
            return
        fi
        sleep 0.5
    done
    echo "postgres-dev: PostgreSQL on port $port does not accept connections; see $dir/postgres.log" >&2
    exit 1
}

stop() {
    local dir=$1
    [[ -f $dir/data/postmaster.pid ]] || return 0
    running_port "$dir" >/dev/null || return 0
    if ! as_server_user "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
        echo "postgres-dev: PostgreSQL in $dir did not stop; see $dir/postgres.log" >&2
        exit 1
    fi
}

case ${1:-} in
    start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
