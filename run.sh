#!/usr/bin/env bash
# Starts a local Cohort cluster: embedded Kafka, a local PostgreSQL and three nodes on 127.0.0.1:8080-8082.
# Describes it in .cohort/cluster.json and stops everything on Ctrl-C or SIGTERM.
# COHORT_PG_PORT chooses PostgreSQL's port (default 55432); its data stays in .cohort/postgres between runs.
# COHORT_REMOTING_PORT (default 4051) is the first of the three nodes' Akka remoting ports; each lists all three as seeds.
# Auth is on: the nodes sign tokens with .cohort/auth-signing-key, made once (./cohort token reads it too), or with
# COHORT__AUTH__SIGNINGKEY when set.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
cd "$root"
state="$root/.cohort"
pg_port=${COHORT_PG_PORT:-55432}
node_count=3
first_http_port=8080
first_remoting_port=${COHORT_REMOTING_PORT:-4051}
ready_timeout=120
stop_timeout=15
node_dir="$root/src/Cohort.Node/bin/Release/net10.0"

kafka_pid=""
pg_started=""
node_pids=()

scripts/install-deps.sh

mkdir -p "$state"
if [[ -f $state/cluster.json ]]; then
    for pid in $(grep -o '"pid":[0-9]*' "$state/cluster.json" | cut -d: -f2); do
        if kill -0 "$pid" 2>/dev/null; then
            echo "run.sh: a cluster is already running (see .cohort/cluster.json)" >&2
            exit 1
        fi
    done
fi

if ! dotnet build Cluster.sln -c Release -v q -nologo >"$state/build.log" 2>&1; then
    echo "run.sh: build failed:" >&2
    grep -E ': error ' "$state/build.log" | sort -u >&2 || cat "$state/build.log" >&2
    exit 1
fi

# Made once and kept with the data: tokens handed out stay valid across restarts, as accounts do.
signing_key_file="$state/auth-signing-key"
if [[ -z ${COHORT__AUTH__SIGNINGKEY:-} ]]; then
    if [[ ! -s $signing_key_file ]]; then
        (umask 077 && head -c 32 /dev/urandom | base64 -w0 >"$signing_key_file.tmp")
        mv "$signing_key_file.tmp" "$signing_key_file"
    fi
    COHORT__AUTH__SIGNINGKEY=$(<"$signing_key_file")
    export COHORT__AUTH__SIGNINGKEY
fi

# Waits up to stop_timeout seconds for each process to exit after SIGTERM, then kills what is left.
stop_processes() {
    local pid deadline=$((SECONDS + stop_timeout))
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "run.sh: process $pid ignored SIGTERM for ${stop_timeout}s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}

cleanup() {
    trap '' INT TERM
    # Stop everything even when one step fails.
    set +e
    ((${#node_pids[@]} > 0)) && stop_processes "${node_pids[@]}"
    [[ -n $kafka_pid ]] && stop_processes "$kafka_pid"
    [[ -n $pg_started ]] && scripts/postgres-dev.sh stop "$state/postgres"
    rm -f "$state/cluster.json" "$state/cluster.json.tmp"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# Prints the last lines of a log and fails.
fail_with_log() {
    echo "run.sh: $1; end of $2:" >&2
    tail -n 30 "$2" >&2
    exit 1
}

rm -f "$state/kafka.json"
./cohort kafka-dev --write "$state/kafka.json" >"$state/kafka-dev.log" 2>&1 &
kafka_pid=$!
# Generous: ./cohort may first have to build the CLI.
deadline=$((SECONDS + 120))
until [[ -f $state/kafka.json ]]; do
    kill -0 "$kafka_pid" 2>/dev/null || fail_with_log "kafka-dev exited" "$state/kafka-dev.log"
    ((SECONDS < deadline)) || fail_with_log "kafka-dev did not start within 120s" "$state/kafka-dev.log"
    sleep 0.2
done
kafka=$(sed -n 's/.*"bootstrapServers":"\([^"]*\)".*/\1/p' "$state/kafka.json")

pg_started=yes
scripts/postgres-dev.sh start "$state/postgres" "$pg_port" >/dev/null
if [[ -z $(psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cohort'") ]]; then
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE DATABASE cohort"
fi
postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=cohort"

seeds=()
for ((i = 0; i < node_count; i++)); do
    seeds+=("--Cohort:Cluster:SeedNodes:$i=akka.tcp://cohort@127.0.0.1:$((first_remoting_port + i))")
done

# A young generation of 256 MB (the README's "Runtime" says why); the runtime reads it from the environment only.
gen0_budget=0x10000000
node_json=()
for ((i = 1; i <= node_count; i++)); do
    url="http://127.0.0.1:$((first_http_port + i - 1))"
    # From the build output folder, which ASP.NET Core takes as content root: it holds appsettings.json.
    (cd "$node_dir" && DOTNET_GCgen0size=$gen0_budget exec dotnet Cohort.Node.dll --urls "$url" \
        --Cohort:Node:NodeId="node-$i" --Cohort:Node:Url="$url" \
        --Cohort:Cluster:Port="$((first_remoting_port + i - 1))" "${seeds[@]}" \
        --Cohort:Kafka:BootstrapServers="$kafka" --Cohort:Postgres:ConnectionString="$postgres") \
        >"$state/node-$i.log" 2>&1 &
    node_pids+=($!)
    node_json+=("{\"id\":\"node-$i\",\"pid\":$!,\"url\":\"$url\"}")
done

nodes=$(IFS=,; echo "${node_json[*]}")
printf '{"kafka":"%s","postgres":"%s","nodes":[%s]}\n' "$kafka" "$postgres" "$nodes" >"$state/cluster.json.tmp"
mv "$state/cluster.json.tmp" "$state/cluster.json"

# HTTP status of GET <url><path>, or nothing. Plain bash: curl is not on every fresh machine.
http_status() {
    local host_port=${1#http://}
    (
        exec 3<>"/dev/tcp/${host_port%:*}/${host_port#*:}"
        printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$2" "$host_port" >&3
        read -r -t 5 _ status _ <&3 && echo "$status"
    ) 2>/dev/null || true
}

deadline=$((SECONDS + ready_timeout))
for ((i = 1; i <= node_count; i++)); do
    url="http://127.0.0.1:$((first_http_port + i - 1))"
    until [[ $(http_status "$url" /health/ready) == 200 ]]; do
        kill -0 "${node_pids[i - 1]}" 2>/dev/null || fail_with_log "node-$i exited" "$state/node-$i.log"
        ((SECONDS < deadline)) || fail_with_log "node-$i not ready after ${ready_timeout}s" "$state/node-$i.log"
        sleep 0.5
    done
done

echo "Cohort cluster is up:"
for ((i = 1; i <= node_count; i++)); do
    echo "  node-$i    http://127.0.0.1:$((first_http_port + i - 1))  (log: .cohort/node-$i.log)"
done
echo "  kafka     $kafka"
echo "  postgres  $postgres"
echo "  tokens    TOKEN=\$(./cohort token --admin)   (or ./cohort token <accountId>)"
echo "Ctrl-C stops the cluster."

# sleep in the background: a foreground sleep would hold back the signal traps until it ends.
reported=()
while true; do
    for ((i = 1; i <= node_count; i++)); do
        if [[ -z ${reported[i]:-} ]] && ! kill -0 "${node_pids[i - 1]}" 2>/dev/null; then
            echo "run.sh: node-$i exited; see .cohort/node-$i.log" >&2
            reported[i]=yes
        fi
    done
    sleep 1 &
    wait $! || true
done
