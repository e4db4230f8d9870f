#!/usr/bin/env bash
# Benchmarks ONE Cohort node on this machine. First, when an anchors script is there (../shared/bench/anchors.sh),
# it measures the designs Cohort replaces on this machine today (`anchor <name> <ops/s>` lines), so that Cohort's
# figures can be read as ratios. Then it builds Release, starts an embedded Kafka (librdkafka's mock), a throwaway
# PostgreSQL (fsync on) and one node (a cluster of one: it seeds itself), and runs `cohort bench kafka` (deposits
# over many accounts produced straight onto cohort.commands.account, answered on a reply topic), `cohort bench
# kafka --hot` (the same to ONE account: one entity writes them all), `cohort bench http` (closed-loop POSTs, then
# POSTs at 8,000/s), then the transfer benchmarks `cohort bench transfers-http` (closed-loop POST /api/v1/transfers)
# and `cohort bench transfers-kafka` (transfers produced onto cohort.commands.transfer, followed in the journal),
# then `cohort bench flash-sale --via http` and `--via kafka` (purchases of one hot SKU, each from a new account,
# then purchases of a sold-out SKU, answered from memory), and last, with the node stopped, `cohort bench kafka
# --echo` (what Kafka alone costs per command). Every run checks in event_journal that each request was applied
# once. It prints the results with where the CPU went (per process: node, PostgreSQL, Kafka mock, client; per node
# thread; per SQL statement), the flash sale's sold-out / purchase ratios and, with anchors, the ratios Kafka
# deposits / pg-wallet, hot account / pg-hot-row, and flash purchases / pg-hot-row, redis-lua and redis-lua-fsync,
# and whether the flash sale's floors are met (`floor ... met`). Everything it started is stopped on exit, Ctrl-C
# included.
#
# Settings (environment):
#   BENCH_ANCHORS=path/to/anchors.sh                                      the anchors script (default
#                                                                         ../shared/bench/anchors.sh beside the repo)
#   BENCH_SKIP_ANCHORS=1                                                  no anchors, no ratios
#   BENCH_SECONDS=20                                                      default of every duration below, and of the
#                                                                         anchors' ANCHOR_SECONDS
#   BENCH_ACCOUNTS=10000 BENCH_COMMANDS=300000 BENCH_IN_FLIGHT=20000      the Kafka run
#   BENCH_WARMUP_COMMANDS=50000                                           Kafka warm-up before it (0: none, cold start)
#   BENCH_HOT_COMMANDS=100000 BENCH_HOT_IN_FLIGHT=5000                    the hot-account Kafka run
#   BENCH_HTTP_DURATION=20 BENCH_HTTP_CONCURRENCY=192                     the HTTP run
#   BENCH_HTTP_WARMUP=20                                                  seconds of HTTP load before it is measured
#                                                                         (the node compiles its HTTP path for ~15 s)
#   BENCH_HTTP_RATE=8000 BENCH_HTTP_RATE_CONCURRENCY=256                  then the HTTP run on a schedule (0: none)
#   BENCH_HTTP_RATE_WARMUP=5                                              its warm-up, seconds
#   BENCH_NODE_ARGS="--Cohort:Kafka:MaxBatch=1000 ..."                   extra node configuration
#   BENCH_NODE_ENV="DOTNET_gcServer=0 ..."                               extra environment of the node (after
#                                                                         DOTNET_GCgen0size=0x10000000, as run.sh has it)
#   BENCH_NPGSQL_OPTIONS="Max Auto Prepare=20"                           extra keywords of the node's connection string
#   BENCH_TRANSFER_ACCOUNTS=10000                                         accounts of each transfer run (fresh ones)
#   BENCH_TRANSFER_DURATION=20 BENCH_TRANSFER_CONCURRENCY=64              the HTTP transfer run
#   BENCH_TRANSFERS=50000 BENCH_TRANSFER_IN_FLIGHT=5000                   the Kafka transfer run
#   BENCH_TRANSFER_POLL_MS=20                                             how often it looks up its in-flight transfers
#   BENCH_FLASH_DURATION=20 BENCH_FLASH_WARMUP=20                         each flash-sale phase (purchases, then sold
#                                                                         out): seconds measured, after its warm-up
#   BENCH_FLASH_CONCURRENCY=192 BENCH_FLASH_IN_FLIGHT=5000                the flash sale's HTTP connections, and its
#                                                                         purchase commands in flight through Kafka
#   BENCH_SKIP_KAFKA=1 / BENCH_SKIP_HOT=1 / BENCH_SKIP_HTTP=1 / BENCH_SKIP_TRANSFERS=1 / BENCH_SKIP_FLASH=1   leave out a part
#   BENCH_SKIP_ECHO=1                                                     no Kafka-alone run at the end
#   BENCH_NO_BUILD=1                                                      use the existing Release build
#   BENCH_PG_STATEMENTS=0                                                 no pg_stat_statements in the profile
#   BENCH_PG_SETTINGS="shared_buffers=1GB min_wal_size=2GB max_wal_size=8GB checkpoint_timeout=15min"   PostgreSQL settings
#                                                                         ("" keeps initdb's defaults; the anchors use them too)
#   BENCH_KEEP=1                                                          keep the work folder (logs) after exit
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

seconds=${BENCH_SECONDS:-20}
accounts=${BENCH_ACCOUNTS:-10000}
commands=${BENCH_COMMANDS:-300000}
in_flight=${BENCH_IN_FLIGHT:-20000}
warmup_commands=${BENCH_WARMUP_COMMANDS:-50000}
hot_commands=${BENCH_HOT_COMMANDS:-100000}
hot_in_flight=${BENCH_HOT_IN_FLIGHT:-5000}
http_duration=${BENCH_HTTP_DURATION:-$seconds}
http_warmup=${BENCH_HTTP_WARMUP:-$seconds}
http_concurrency=${BENCH_HTTP_CONCURRENCY:-192}
http_rate=${BENCH_HTTP_RATE:-8000}
http_rate_concurrency=${BENCH_HTTP_RATE_CONCURRENCY:-256}
http_rate_warmup=${BENCH_HTTP_RATE_WARMUP:-5}
transfer_accounts=${BENCH_TRANSFER_ACCOUNTS:-10000}
transfer_duration=${BENCH_TRANSFER_DURATION:-$seconds}
transfer_concurrency=${BENCH_TRANSFER_CONCURRENCY:-64}
transfers=${BENCH_TRANSFERS:-50000}
transfer_in_flight=${BENCH_TRANSFER_IN_FLIGHT:-5000}
transfer_poll_ms=${BENCH_TRANSFER_POLL_MS:-20}
flash_duration=${BENCH_FLASH_DURATION:-$seconds}
flash_warmup=${BENCH_FLASH_WARMUP:-$http_warmup}
flash_concurrency=${BENCH_FLASH_CONCURRENCY:-192}
flash_in_flight=${BENCH_FLASH_IN_FLIGHT:-5000}
partitions=8 # of each command topic, as DESIGN.md has it
anchors=${BENCH_ANCHORS:-$repo/../shared/bench/anchors.sh}
read -r -a node_args <<< "${BENCH_NODE_ARGS:-}"
# As run.sh and the Dockerfile run the node (the README's "Runtime"); BENCH_NODE_ENV comes after, so it may override.
read -r -a node_env <<< "DOTNET_GCgen0size=0x10000000 ${BENCH_NODE_ENV:-}"
# Auth is on: the node and the bench clients (one admin token per run, see BenchHttpClient) share a throwaway key.
COHORT__AUTH__SIGNINGKEY=${COHORT__AUTH__SIGNINGKEY:-$(head -c 32 /dev/urandom | base64 -w0)}
export COHORT__AUTH__SIGNINGKEY

cli_dir=$repo/src/Cohort.Cli/bin/Release/net10.0
node_dir=$repo/src/Cohort.Node/bin/Release/net10.0
work=$(mktemp -d /tmp/cohort-bench.XXXXXX)
chmod 755 "$work"
kafka_pid=""
node_pid=""
pg_started=""

say() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

stop_process() { # pid name: SIGTERM, then SIGKILL after 30 s
    local pid=$1 name=$2
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    say "$name (pid $pid) did not stop in 30 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    set +e
    [[ -n $node_pid ]] && stop_process "$node_pid" node
    [[ -n $kafka_pid ]] && stop_process "$kafka_pid" kafka-dev
    [[ -n $pg_started ]] && scripts/postgres-dev.sh stop "$work/pg" >/dev/null 2>&1
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then say "logs kept in $work"; else rm -rf "$work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 40000))
        [[ -z $(ss -Htln "sport = :$port" 2>/dev/null) ]] && { echo "$port"; return; }
    done
}

# ---- CPU accounting: clock ticks used by each part, read from /proc --------------------------------------------
hz=$(getconf CLK_TCK)
proc_ticks() { # utime+stime of one process (all its threads), 0 when gone
    local stat
    # No pid (the node stopped before the echo run) would read /proc//stat, which is the machine's /proc/stat.
    [[ -n $1 ]] || { echo 0; return; }
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    stat=${stat##*) }
    awk '{print $12 + $13}' <<< "$stat"
}
pg_ticks() { # the postmaster, its live children, and the children that already ended
    local pm total stat pid
    pm=$(head -n 1 "$pg_data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
    stat=$(cat "/proc/$pm/stat" 2>/dev/null) || { echo 0; return; }
    stat=${stat##*) }
    total=$(awk '{print $12 + $13 + $14 + $15}' <<< "$stat")
    for pid in $(ps -o pid= --ppid "$pm"); do total=$((total + $(proc_ticks "$pid"))); done
    echo "$total"
}
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
cpu_snapshot() { echo "$(date +%s.%N) $(machine_ticks) $(proc_ticks "$node_pid") $(pg_ticks) $(proc_ticks "$kafka_pid")"; }

top_rows() { # file count [user]: the busiest rows of top's last frame (the first frame averages since start)
    awk -v user="${3:-}" '/^top -/ {delete rows; n = 0; f = 0} f && NF >= 12 && $9 + 0 > 0 {
            name = $12; for (i = 13; i <= NF; i++) name = name " " $i
            rows[++n] = sprintf("      %5.1f%%  %s%s", $9, user ? $2 " " : "", substr(name, 1, 100))
        } /^ *PID/ {f = 1} END {for (i = 1; i <= n; i++) print rows[i]}' "$1" | head -n "$2"
}

thread_ticks() { # "tid<TAB>ticks<TAB>name" for every thread of a process
    local task stat
    for task in /proc/"$1"/task/*; do
        stat=$(cat "$task/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        printf '%s\t%s\t%s\n' "${task##*/}" "$(awk '{print $12 + $13}' <<< "$stat")" "$(cat "$task/comm" 2>/dev/null)"
    done
}
thread_profile() { # before after: node CPU between two thread_ticks, by thread name (numbers folded: rdk:broker*)
    awk -F'\t' -v hz="$hz" 'NR == FNR {before[$1] = $2; next}
        {d = $2 - ($1 in before ? before[$1] : 0); name = $3; sub(/[0-9]+$/, "*", name); sum[name] += d; total += d}
        END {for (n in sum) if (sum[n] > 0) printf "%d\t      %5.1f%%  %5.1f s  %s\n", sum[n], 100 * sum[n] / total, sum[n] / hz, n}' \
        "$1" "$2" | sort -rn | cut -f 2 | head -n 10
}

load_average() { cut -d ' ' -f 1-3 /proc/loadavg; }

pg_statements() { # the statements PostgreSQL spent the run on, when pg_stat_statements is there
    [[ $statements == 1 ]] || return 0
    echo "    postgres statements (pg_stat_statements, whole run):"
    "${psql_admin[@]}" -d cohort -tA -F ' | ' -c "
        SELECT lpad(calls::text, 7), lpad(round(mean_exec_time::numeric, 2)::text, 8) || ' ms mean',
               lpad(round(total_exec_time::numeric / 1000, 1)::text, 6) || ' s total',
               left(regexp_replace(query, '\s+', ' ', 'g'), 70)
          FROM pg_stat_statements WHERE calls > 10 ORDER BY total_exec_time DESC LIMIT 8" | sed 's/^/      /'
}

# /metrics is OpenTelemetry's Prometheus text: every series carries labels, at least otel_scope_name="Cohort"
# (cohort_commands_total{otel_scope_name="Cohort",entity="account",outcome="accepted"} 12), and a histogram in
# seconds has _sum and _count series (cohort_journal_write_duration_seconds_sum{...}).
metric() { # name metrics-text [label]: sum of the metric's series (those carrying the label, e.g. entity="account")
    awk -v name="$1" -v label="${3:-}" '{base = $1; sub(/\{.*/, "", base)}
        base == name && (label == "" || index($1, label) > 0) {sum += $NF} END {printf "%.6f\n", sum}' <<< "$2"
}
metric_growth() { # name before-metrics after-metrics [label]: how much a metric grew between the two
    awk -v a="$(metric "$1" "$2" "${4:-}")" -v b="$(metric "$1" "$3" "${4:-}")" 'BEGIN {printf "%.6f\n", b - a}'
}

# Prints where the time went between two snapshots: CPU per part, and what the node's metrics say it did.
profile() { # label before-cpu after-cpu before-metrics after-metrics client-cpu-seconds done-count [unit]
    local label=$1 client_s=$6 done=$7 unit=${8:-command}
    read -r t0 m0 n0 p0 k0 <<< "$2"
    read -r t1 m1 n1 p1 k1 <<< "$3"
    awk -v label="$label" -v hz="$hz" -v cores="$(nproc)" -v t0="$t0" -v t1="$t1" -v m="$((m1 - m0))" \
        -v node="$((n1 - n0))" -v pg="$((p1 - p0))" -v kafka="$((k1 - k0))" -v client="$client_s" -v done="$done" -v unit="$unit" \
        -v accounts="$(metric_growth cohort_commands_total "$4" "$5" 'entity="account"')" \
        -v transfers="$(metric_growth cohort_commands_total "$4" "$5" 'entity="transfer"')" \
        -v writes="$(metric_growth cohort_journal_writes_total "$4" "$5")" \
        -v records="$(metric_growth cohort_journal_records_total "$4" "$5")" \
        -v write_sum="$(metric_growth cohort_journal_write_duration_seconds_sum "$4" "$5")" \
        -v write_count="$(metric_growth cohort_journal_write_duration_seconds_count "$4" "$5")" \
        -v batches="$(metric_growth cohort_kafka_batch_duration_seconds_count "$4" "$5")" \
        -v batch_sum="$(metric_growth cohort_kafka_batch_duration_seconds_sum "$4" "$5")" \
        -v kafka_commands="$(metric_growth cohort_kafka_commands_total "$4" "$5")" \
        -v asks="$(metric_growth cohort_ask_duration_seconds_count "$4" "$5")" \
        -v ask_sum="$(metric_growth cohort_ask_duration_seconds_sum "$4" "$5")" \
        -v ask_timeouts="$(metric_growth cohort_ask_timeouts_total "$4" "$5")" 'BEGIN {
        wall = t1 - t0; node /= hz; pg /= hz; kafka /= hz; busy = m / hz
        other = busy - node - pg - kafka - client; if (other < 0) other = 0
        printf "  %s: %.1f s wall, %d cores = %.1f core-s; busy %.1f core-s (%.0f%%)\n", label, wall, cores, wall * cores, busy, 100 * busy / (wall * cores)
        printf "    cpu seconds:  node %.1f  postgres %.1f  kafka-mock %.1f  bench-client %.1f  other processes %.1f\n", node, pg, kafka, client, other
        if (done > 0)
            printf "    cpu us per %s:  node %.0f  postgres %.0f  kafka-mock %.0f  bench-client %.0f  (all of them %.0f: %.0f %ss/s if they had both cores)\n",
                unit, 1e6 * node / done, 1e6 * pg / done, 1e6 * kafka / done, 1e6 * client / done,
                1e6 * (node + pg + kafka + client) / done, done * cores / (node + pg + kafka + client), unit
        printf "    node commands answered: accounts %d, transfers %d\n", accounts, transfers
        if (writes > 0)
            printf "    journal writes: %d, %.1f records per write, %.1f ms per write (handed to the journal until durable)\n",
                writes, records / writes, (write_count > 0 ? 1000 * write_sum / write_count : 0)
        if (batches > 0)
            printf "    kafka batches: %d, %.0f commands per batch, %.1f ms per batch (taken until every command answered), %.1f batches in flight on average\n",
                batches, kafka_commands / batches, 1000 * batch_sum / batches, batch_sum / wall
        if (asks > 0 || ask_timeouts > 0)
            printf "    asks from HTTP: %d, %.1f ms mean, %d timed out\n", asks, (asks > 0 ? 1000 * ask_sum / asks : 0), ask_timeouts
    }'
}

# Starts, in the background, a watcher that saves the CPU, metrics and node threads (<prefix>-cpu.txt ...) once a
# line of <file> matches <pattern>: a run's profile starts when its accounts are funded and ends when its check in
# the journal starts, so neither the funding nor the check's queries count as the run's. $! is the watcher.
snapshot_on() { # pattern file prefix
    local pattern=$1 file=$2 prefix=$3
    (
        while ! grep -q -- "$pattern" "$file" 2>/dev/null; do sleep 0.02; done
        take_snapshot "$prefix"
    ) &
}
take_snapshot() { # prefix
    cpu_snapshot > "$1-cpu.txt"; curl -s "$url/metrics" > "$1-metrics.txt"
    thread_ticks "$node_pid" > "$1-threads.txt"; load_average > "$1-load.txt"
}
end_snapshot() { # watcher pattern file prefix: the snapshot the watcher takes, or one taken now when the run never got there
    # A watcher that saw its line is taking its snapshot: it ends by itself.
    if ! grep -q -- "$2" "$3" 2>/dev/null && kill -0 "$1" 2>/dev/null; then kill "$1" 2>/dev/null; fi
    wait "$1" 2>/dev/null || true
    [[ -s $4-load.txt ]] || take_snapshot "$4"
}
checking_line='^  checking the run in event_journal'

# ---- anchors ---------------------------------------------------------------------------------------------------
# The designs Cohort replaces, measured first and alone: this machine is shared and noisy, so Cohort's figures are
# read against what plain PostgreSQL does on it today, not against figures of another day.
anchor_lines=()
if [[ ${BENCH_SKIP_ANCHORS:-0} != 1 && -f $anchors ]]; then
    say "anchors: $anchors (ANCHOR_SECONDS=${ANCHOR_SECONDS:-$seconds})"
    if ANCHOR_SECONDS=${ANCHOR_SECONDS:-$seconds} bash "$anchors" > "$work/anchors.txt" 2> "$work/anchors.log"; then
        mapfile -t anchor_lines < <(grep '^anchor ' "$work/anchors.txt" || true)
        for line in "${anchor_lines[@]}"; do echo "$line"; done
    else
        say "the anchors script failed (no ratios):"; tail -n 20 "$work/anchors.log" >&2
    fi
elif [[ ${BENCH_SKIP_ANCHORS:-0} != 1 ]]; then
    say "no anchors script at $anchors (BENCH_ANCHORS): no ratios"
fi
anchor() { # name: ops/s of one anchor, empty when not measured
    local line
    for line in "${anchor_lines[@]}"; do [[ $line == "anchor $1 "* ]] && { echo "${line##* }"; return; }; done
    return 0 # not measured is no failure: under set -e it would end the ratios that follow
}

# ---- build -----------------------------------------------------------------------------------------------------
scripts/install-deps.sh
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    say "building Release"
    mkdir -p src/Cohort.Cli/obj
    # The same lock as ./cohort: two builds of the same outputs at once would break both.
    flock src/Cohort.Cli/obj/cohort-build.lock dotnet build src/Cohort.Cli/Cohort.Cli.csproj -c Release -nologo -v q >&2
    dotnet build src/Cohort.Node/Cohort.Node.csproj -c Release -nologo -v q >&2
fi
# Run copies: a rebuild of bin/ while the benchmark runs (./cohort rebuilds when a source changed) would
# otherwise replace the assemblies under the running processes.
cp -r "$cli_dir" "$work/cli"
cp -r "$node_dir" "$work/node"
cli_dir=$work/cli
node_dir=$work/node

# ---- Kafka -----------------------------------------------------------------------------------------------------
say "starting the embedded Kafka"
"$cli_dir/cohort" kafka-dev --partitions "$partitions" --write "$work/kafka.json" > "$work/kafka.log" 2>&1 &
kafka_pid=$!
for _ in $(seq 600); do [[ -s $work/kafka.json ]] && break; kill -0 "$kafka_pid" 2>/dev/null || break; sleep 0.1; done
[[ -s $work/kafka.json ]] || { cat "$work/kafka.log" >&2; say "kafka-dev did not start"; exit 1; }
bootstrap=$(sed -n 's/.*"bootstrapServers" *: *"\([^"]*\)".*/\1/p' "$work/kafka.json")
say "kafka at $bootstrap"

# ---- PostgreSQL ------------------------------------------------------------------------------------------------
pg_port=$(free_port)
say "starting PostgreSQL on port $pg_port"
pg_started=1
admin_cs=$(scripts/postgres-dev.sh start "$work/pg" "$pg_port" | tail -n 1)
pg_data=$work/pg/data
pg_host=$(sed -n 's/.*Host=\([^;]*\).*/\1/Ip' <<< "$admin_cs"); pg_host=${pg_host:-127.0.0.1}
pg_user=$(sed -n 's/.*\(Username\|User Id\|User\)=\([^;]*\).*/\2/Ip' <<< "$admin_cs"); pg_user=${pg_user:-postgres}
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port" -U "$pg_user")
"${psql_admin[@]}" -d postgres -c 'CREATE DATABASE cohort' >&2
# Settings of a PostgreSQL that serves a write-heavy service rather than initdb's defaults (128 MB of shared
# buffers, a checkpoint every 1 GB of WAL, which a full run writes twice); fsync stays on. And statement timings
# for the profile: pg_stat_statements must be preloaded. Both take a restart.
read -r -a pg_settings <<< "${BENCH_PG_SETTINGS-shared_buffers=1GB min_wal_size=2GB max_wal_size=8GB checkpoint_timeout=15min}"
for setting in "${pg_settings[@]}"; do
    "${psql_admin[@]}" -d postgres -c "ALTER SYSTEM SET ${setting%%=*} = '${setting#*=}'" >&2
done
if [[ ${BENCH_PG_STATEMENTS:-1} == 1 ]]; then
    "${psql_admin[@]}" -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >&2
fi
scripts/postgres-dev.sh stop "$work/pg" >&2
scripts/postgres-dev.sh start "$work/pg" "$pg_port" >/dev/null
# A database in service reuses its WAL segments: each checkpoint renames the old ones for what comes next. A new
# database instead creates and zero-fills a 16 MB segment about every second under this load, and every commit
# waits while it does: with reconciliation paused, HTTP on a schedule had a p99 of 91-133 ms on new segments and
# 30-32 ms on reused ones. So PostgreSQL first writes 1 GB of segments to reuse, and the Kafka and HTTP runs
# start at a checkpoint, which makes the segments of the run before reusable again.
"${psql_admin[@]}" -d cohort -c 'CREATE TABLE bench_wal (x int)' \
    -c 'DO $$ BEGIN FOR i IN 1..64 LOOP INSERT INTO bench_wal VALUES (i); PERFORM pg_switch_wal(); END LOOP; END $$' \
    -c 'DROP TABLE bench_wal' >&2
statements=0
if [[ ${BENCH_PG_STATEMENTS:-1} == 1 ]] && "${psql_admin[@]}" -d cohort -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >&2; then
    statements=1
fi
node_cs="$(sed -E 's/(^|;)[[:space:]]*Database=[^;]*//I; s/;+$//' <<< "$admin_cs");Database=cohort${BENCH_NPGSQL_OPTIONS:+;$BENCH_NPGSQL_OPTIONS}"

# ---- the node --------------------------------------------------------------------------------------------------
http_port=$(free_port)
remoting_port=$(free_port)
url=http://127.0.0.1:$http_port
say "starting node bench-node at $url, remoting on port $remoting_port ${node_args[*]:-}"
# From its own folder: the content root is the working directory, and appsettings.json (log levels: no line per
# HTTP request) is found there only. A cluster of one: the node is its own seed. The node's request limit (1,000/s by
# default) would measure the limiter, not the node: it is lifted (BENCH_NODE_ARGS can set it again).
(cd "$node_dir" && exec env "${node_env[@]}" dotnet Cohort.Node.dll --urls "$url" --Cohort:Node:NodeId=bench-node --Cohort:Node:Url="$url" \
    --Cohort:Cluster:Hostname=127.0.0.1 --Cohort:Cluster:Port="$remoting_port" \
    --Cohort:Cluster:SeedNodes:0="akka.tcp://cohort@127.0.0.1:$remoting_port" \
    --Cohort:Kafka:BootstrapServers="$bootstrap" --Cohort:Postgres:ConnectionString="$node_cs" \
    --Cohort:RateLimits:PerNodePerSecond=1000000 "${node_args[@]}") \
    > "$work/node.log" 2>&1 &
node_pid=$!

# Ready: an Up member of its cluster, PostgreSQL answering, and the consumer assigned the command topics.
ready=""
for _ in $(seq 240); do
    kill -0 "$node_pid" 2>/dev/null || break
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/health/ready") == 200 ]]; then ready=1; break; fi
    sleep 0.5
done
[[ -n $ready ]] || { tail -n 50 "$work/node.log" >&2; say "the node did not become ready"; exit 1; }
say "node ready"

status=0
results=()

before_measuring() { # a checkpoint (see above), and the statement timings of this run only
    "${psql_admin[@]}" -d cohort -c 'CHECKPOINT' >&2
    [[ $statements == 1 ]] && "${psql_admin[@]}" -d cohort -tAc 'SELECT pg_stat_statements_reset()' >/dev/null
    return 0
}

# ---- Kafka benchmarks ------------------------------------------------------------------------------------------
# One deposit run through Kafka, profiled from its start to its check in the journal.
run_kafka_bench() { # name cli-args...: runs `cohort bench kafka <args>`, profiles it as <name>, adds its result line
    local name=$1; shift
    local rc=0 result client done_count watcher top_pid
    say "cohort bench kafka $* (load average $(load_average))"
    before_measuring
    : > "$work/$name-result.txt"
    take_snapshot "$work/$name-before"
    snapshot_on "$checking_line" "$work/$name-result.txt" "$work/$name-after"
    watcher=$!
    (sleep 5; top -c -b -n 2 -d 3 -w 200 > "$work/$name-top.txt" 2>&1) &
    top_pid=$!
    "$cli_dir/cohort" bench kafka --bootstrap "$bootstrap" --postgres "$node_cs" "$@" \
        2> "$work/$name-progress.txt" | tee -a "$work/$name-result.txt" || rc=$?
    end_snapshot "$watcher" "$checking_line" "$work/$name-result.txt" "$work/$name-after"
    wait "$top_pid" 2>/dev/null || true
    (( rc == 0 )) || { status=1; tail -n 5 "$work/$name-progress.txt" >&2; }
    result=$(grep '^result kafka' "$work/$name-result.txt" || echo "result $name: FAILED (exit $rc)")
    results+=("$result")
    client=$(sed -n 's/.*client_cpu_s=\([0-9.]*\).*/\1/p' <<< "$result"); client=${client:-0}
    done_count=$(sed -n 's/.* applied=\([0-9]*\).*/\1/p' <<< "$result"); done_count=${done_count:-0}
    {
        echo "profile of the $name run (until its check in the journal):"
        profile "$name run" "$(cat "$work/$name-before-cpu.txt")" "$(cat "$work/$name-after-cpu.txt")" \
            "$(cat "$work/$name-before-metrics.txt")" "$(cat "$work/$name-after-metrics.txt")" "$client" "$done_count"
        echo "    node CPU by thread (whole run):"
        thread_profile "$work/$name-before-threads.txt" "$work/$name-after-threads.txt"
        echo "    busiest processes (top, 3 s sample mid-run):"
        top_rows "$work/$name-top.txt" 12 user
        pg_statements
    } | tee "$work/$name-profile.txt"
}

if [[ ${BENCH_SKIP_KAFKA:-0} != 1 ]]; then
    if (( warmup_commands > 0 )); then
        # Steady state, as a node that has run for a while sees it: accounts in memory, code jitted, and table
        # statistics. A fresh database has none until autovacuum's first ANALYZE (up to a minute later).
        say "warm-up: cohort bench kafka --commands $warmup_commands --reply, then ANALYZE"
        "$cli_dir/cohort" bench kafka --bootstrap "$bootstrap" --postgres "$node_cs" --accounts "$accounts" \
            --commands "$warmup_commands" --in-flight "$in_flight" --reply > "$work/warmup-result.txt" 2>&1 || status=1
        results+=("warm-up $(grep '^result kafka:' "$work/warmup-result.txt" || echo "result kafka: FAILED")")
        "${psql_admin[@]}" -d cohort -c 'ANALYZE' >&2
    fi
    run_kafka_bench kafka --accounts "$accounts" --commands "$commands" --in-flight "$in_flight" --reply
fi

# Every deposit to one account: one entity is the single writer of its journal, so this is what one hot key takes
# (compare with the pg-hot-row anchor, an UPDATE of one row by 16 clients).
if [[ ${BENCH_SKIP_HOT:-0} != 1 ]]; then
    run_kafka_bench kafka-hot --hot --commands "$hot_commands" --in-flight "$hot_in_flight" --reply
fi

# ---- HTTP benchmark --------------------------------------------------------------------------------------------
if [[ ${BENCH_SKIP_HTTP:-0} != 1 ]]; then
    say "cohort bench http --url $url --accounts $accounts --duration $http_duration --warmup $http_warmup --concurrency $http_concurrency"
    before_measuring
    : > "$work/http-result.txt"
    take_snapshot "$work/http-before"
    snapshot_on "$checking_line" "$work/http-result.txt" "$work/http-after"
    watcher=$!
    http_rc=0
    "$cli_dir/cohort" bench http --url "$url" --postgres "$node_cs" --accounts "$accounts" --duration "$http_duration" --warmup "$http_warmup" \
        --concurrency "$http_concurrency" 2> "$work/http-progress.txt" | tee -a "$work/http-result.txt" || http_rc=$?
    end_snapshot "$watcher" "$checking_line" "$work/http-result.txt" "$work/http-after"
    (( http_rc == 0 )) || status=1
    result=$(grep '^result http:' "$work/http-result.txt" || echo "result http: FAILED (exit $http_rc)")
    results+=("$result")
    client=$(sed -n 's/.*client_cpu_s=\([0-9.]*\).*/\1/p' <<< "$result"); client=${client:-0}
    m_before=$(cat "$work/http-before-metrics.txt"); m_after=$(cat "$work/http-after-metrics.txt")
    answered=$(metric_growth cohort_commands_total "$m_before" "$m_after" 'entity="account"'); answered=${answered%.*}
    {
        echo "profile of the http run (warm-up included, until its check in the journal):"
        profile "http run" "$(cat "$work/http-before-cpu.txt")" "$(cat "$work/http-after-cpu.txt")" "$m_before" "$m_after" "$client" "$answered"
        echo "    node CPU by thread (whole run):"
        thread_profile "$work/http-before-threads.txt" "$work/http-after-threads.txt"
        pg_statements
    } | tee "$work/http-profile.txt"

    # A closed loop at its limit tells the most a node answers; the latency at a given rate is a different
    # question. Requests on a schedule, each timed from when it was due.
    if (( http_rate > 0 )); then
        before_measuring
        say "cohort bench http --url $url --accounts $accounts --duration $http_duration --warmup $http_rate_warmup --concurrency $http_rate_concurrency --rate $http_rate"
        paced_rc=0
        "$cli_dir/cohort" bench http --url "$url" --postgres "$node_cs" --accounts "$accounts" --duration "$http_duration" \
            --warmup "$http_rate_warmup" --concurrency "$http_rate_concurrency" --rate "$http_rate" 2> "$work/http-paced-progress.txt" \
            | tee "$work/http-paced-result.txt" || paced_rc=$?
        (( paced_rc == 0 )) || status=1
        result=$(grep '^result http:' "$work/http-paced-result.txt" || echo "result http: FAILED (exit $paced_rc)")
        results+=("${result/#result http:/result http-paced:}")
    fi
fi

# ---- transfer benchmarks ---------------------------------------------------------------------------------------
# A transfer is a process of its own: the transfer entity starts it, then debits and credits the accounts, each
# step a message between entities and a journal row on each side.
run_transfer_bench() { # name cli-args...: runs `cohort bench <name>`, profiles it, adds its result line
    local name=$1; shift
    say "cohort bench $name $* (load average $(load_average))"
    local rc=0 result client done_count load_before watcher checker
    : > "$work/$name-result.txt"
    # The profile starts when the accounts are funded (the run prints "funded in", then starts the transfers) and
    # ends when the run's check in the journal starts.
    snapshot_on '^  funded in' "$work/$name-result.txt" "$work/$name-before"
    watcher=$!
    snapshot_on "$checking_line" "$work/$name-result.txt" "$work/$name-after"
    checker=$!
    "$cli_dir/cohort" bench "$name" "$@" 2> "$work/$name-progress.txt" | tee -a "$work/$name-result.txt" || rc=$?
    if ! grep -q '^  funded in' "$work/$name-result.txt" && kill -0 "$watcher" 2>/dev/null; then kill "$watcher" 2>/dev/null; fi
    wait "$watcher" 2>/dev/null || true
    end_snapshot "$checker" "$checking_line" "$work/$name-result.txt" "$work/$name-after"
    if [[ ! -s $work/$name-before-load.txt ]]; then
        say "$name never funded its accounts"; status=1; results+=("result $name: FAILED (exit $rc)"); return
    fi
    load_before=$(cat "$work/$name-before-load.txt")
    (( rc == 0 )) || { status=1; tail -n 5 "$work/$name-progress.txt" >&2; }
    result=$(grep "^result $name:" "$work/$name-result.txt" || echo "result $name: FAILED (exit $rc)")
    results+=("$result load_before=${load_before// /,} load_after=$(load_average | tr ' ' ',')")
    client=$(sed -n 's/.*client_cpu_s=\([0-9.]*\).*/\1/p' <<< "$result"); client=${client:-0}
    # Every transfer the node finished while profiled (the HTTP run's warm-up included).
    done_count=$(sed -n 's/.* finished=\([0-9]*\).*/\1/p' <<< "$result"); done_count=${done_count:-0}
    {
        echo "profile of the $name run (after funding the accounts, until its check in the journal):"
        profile "$name run" "$(cat "$work/$name-before-cpu.txt")" "$(cat "$work/$name-after-cpu.txt")" \
            "$(cat "$work/$name-before-metrics.txt")" "$(cat "$work/$name-after-metrics.txt")" "$client" "$done_count" transfer
        echo "    node CPU by thread:"
        thread_profile "$work/$name-before-threads.txt" "$work/$name-after-threads.txt"
        pg_statements
    } | tee "$work/$name-profile.txt"
}

if [[ ${BENCH_SKIP_TRANSFERS:-0} != 1 ]]; then
    # Fresh statistics (the runs above grew the journal), as autovacuum would have them on a node that ran a while.
    "${psql_admin[@]}" -d cohort -c 'ANALYZE' >&2
    run_transfer_bench transfers-http --url "$url" --postgres "$node_cs" --accounts "$transfer_accounts" \
        --duration "$transfer_duration" --concurrency "$transfer_concurrency"
    "${psql_admin[@]}" -d cohort -c 'ANALYZE' >&2
    run_transfer_bench transfers-kafka --bootstrap "$bootstrap" --postgres "$node_cs" --accounts "$transfer_accounts" \
        --transfers "$transfers" --in-flight "$transfer_in_flight" --poll-ms "$transfer_poll_ms"
fi

# ---- flash sale ------------------------------------------------------------------------------------------------
# One hot SKU with units for far more than a run sells, each purchase from a new account (a real purchase, a new
# order entity), then a SKU already sold out, answered from the node's sold-out board. The per-account limit
# (5/s) never bites: every account buys once.
run_flash_bench() { # via cli-args...: runs `cohort bench flash-sale --via <via>`, profiles it, adds its two result lines
    local via=$1; shift
    local name=flash-$via rc=0 result client done_count watcher kind
    say "cohort bench flash-sale --via $via --duration $flash_duration --warmup $flash_warmup $* (load average $(load_average))"
    before_measuring
    : > "$work/$name-result.txt"
    take_snapshot "$work/$name-before"
    snapshot_on "$checking_line" "$work/$name-result.txt" "$work/$name-after"
    watcher=$!
    "$cli_dir/cohort" bench flash-sale --via "$via" --url "$url" --postgres "$node_cs" --duration "$flash_duration" \
        --warmup "$flash_warmup" "$@" 2> "$work/$name-progress.txt" | tee -a "$work/$name-result.txt" || rc=$?
    end_snapshot "$watcher" "$checking_line" "$work/$name-result.txt" "$work/$name-after"
    (( rc == 0 )) || { status=1; tail -n 5 "$work/$name-progress.txt" >&2; }
    done_count=0
    for kind in "$name" "$name-sold-out"; do
        result=$(grep "^result $kind:" "$work/$name-result.txt" || echo "result $kind: FAILED (exit $rc)")
        results+=("$result")
        done_count=$((done_count + $(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<< "$result" | grep . || echo 0)))
    done
    client=$(sed -n 's/.*client_cpu_s=\([0-9.]*\).*/\1/p' <<< "$(grep "^result $name:" "$work/$name-result.txt" || true)"); client=${client:-0}
    {
        echo "profile of the $name run (both phases, warm-ups and set-up included, until its check in the journal):"
        profile "$name run" "$(cat "$work/$name-before-cpu.txt")" "$(cat "$work/$name-after-cpu.txt")" \
            "$(cat "$work/$name-before-metrics.txt")" "$(cat "$work/$name-after-metrics.txt")" "$client" "$done_count" answer
        echo "    sold-out answers from memory: $(metric_growth cohort_sold_out_from_memory_total \
            "$(cat "$work/$name-before-metrics.txt")" "$(cat "$work/$name-after-metrics.txt")" | cut -d . -f 1)"
        echo "    node CPU by thread:"
        thread_profile "$work/$name-before-threads.txt" "$work/$name-after-threads.txt"
        pg_statements
    } | tee "$work/$name-profile.txt"
}

if [[ ${BENCH_SKIP_FLASH:-0} != 1 ]]; then
    "${psql_admin[@]}" -d cohort -c 'ANALYZE' >&2
    run_flash_bench http --concurrency "$flash_concurrency"
    "${psql_admin[@]}" -d cohort -c 'ANALYZE' >&2
    run_flash_bench kafka --bootstrap "$bootstrap" --in-flight "$flash_in_flight"
fi

# ---- Kafka alone -----------------------------------------------------------------------------------------------
# The same deposits with the node stopped, answered by the client process itself through Kafka as a node would
# (answer and event), deciding nothing and writing no database: what Kafka costs per command on this machine,
# which no node can go below.
if [[ ${BENCH_SKIP_KAFKA:-0} != 1 && ${BENCH_SKIP_ECHO:-0} != 1 ]]; then
    stop_process "$node_pid" node
    node_pid=""
    say "cohort bench kafka --accounts $accounts --commands $commands --in-flight $in_flight --echo (node stopped)"
    c_before=$(cpu_snapshot)
    echo_rc=0
    "$cli_dir/cohort" bench kafka --bootstrap "$bootstrap" --accounts "$accounts" --commands "$commands" \
        --in-flight "$in_flight" --echo 2> "$work/echo-progress.txt" | tee "$work/echo-result.txt" || echo_rc=$?
    c_after=$(cpu_snapshot)
    (( echo_rc == 0 )) || { status=1; tail -n 5 "$work/echo-progress.txt" >&2; }
    result=$(grep '^result kafka-echo:' "$work/echo-result.txt" || echo "result kafka-echo: FAILED (exit $echo_rc)")
    results+=("$result")
    client=$(sed -n 's/.*client_cpu_s=\([0-9.]*\).*/\1/p' <<< "$result"); client=${client:-0}
    done_count=$(sed -n 's/.*answered=\([0-9]*\).*/\1/p' <<< "$result"); done_count=${done_count:-0}
    read -r _ _ _ _ k0 <<< "$c_before"
    read -r _ _ _ _ k1 <<< "$c_after"
    awk -v hz="$hz" -v cores="$(nproc)" -v kafka="$((k1 - k0))" -v client="$client" -v done="$done_count" 'BEGIN {
        kafka /= hz
        if (done > 0)
            printf "profile of the kafka-echo run:\n    cpu us per command:  kafka-mock %.0f  bench-client with the echo %.0f  (all of them %.0f: %.0f commands/s if they had both cores)\n",
                1e6 * kafka / done, 1e6 * client / done, 1e6 * (kafka + client) / done, done * cores / (kafka + client)
    }' | tee "$work/echo-profile.txt"
fi

# ---- ratios to the anchors -------------------------------------------------------------------------------------
ratio() { # label result-name anchor-name: Cohort's ops/s over the anchor's, when both were measured
    local ours theirs line
    for line in "${results[@]}"; do
        [[ $line == "result $2:"* ]] && ours=$(sed -n 's/.*_per_s=\([0-9.]*\).*/\1/p' <<< "$line")
    done
    theirs=$(anchor "$3")
    if [[ -n ${ours:-} && -n $theirs ]] && (( ${theirs%.*} > 0 )); then
        awk -v l="$1" -v a="$ours" -v b="$theirs" -v n="$3" 'BEGIN {printf "ratio %s %.2f (%.0f / %s %.0f ops/s)\n", l, a / b, a, n, b}'
    fi
}
result_field() { # result-name field: a field of a result line (purchases_per_s, p99_ms ...), empty when not there
    local line
    for line in "${results[@]}"; do
        [[ $line == "result $1:"* ]] && sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<< "$line"
    done
    return 0 # a last line of another run is no failure (set -e)
}
own_ratio() { # label result-name result-name: one run's ops/s over another's, both of this run
    local a b
    a=$(result_field "$2" '[a-z_]*_per_s'); b=$(result_field "$3" '[a-z_]*_per_s')
    if [[ -n $a && -n $b ]] && (( ${b%.*} > 0 )); then
        awk -v l="$1" -v a="$a" -v b="$b" -v n="$3" 'BEGIN {printf "ratio %s %.2f (%.0f / %s %.0f ops/s)\n", l, a / b, a, n, b}'
    fi
}
ratios=()
if (( ${#anchor_lines[@]} > 0 )); then
    mapfile -t ratios < <(ratio kafka-deposits/pg-wallet kafka pg-wallet; ratio hot-account/pg-hot-row kafka-hot pg-hot-row
        for via in kafka http; do
            for a in pg-hot-row redis-lua redis-lua-fsync; do ratio "flash-$via-purchases/$a" "flash-$via" "$a"; done
        done)
fi
# The flash sale's floors: Kafka purchases at least 5x pg-hot-row (above), HTTP purchases at least 8,000/s with a
# p99 under 50 ms, and sold-out answers at least 2x the purchases of the same transport.
mapfile -t -O "${#ratios[@]}" ratios < <(own_ratio flash-http-sold-out/purchases flash-http-sold-out flash-http
    own_ratio flash-kafka-sold-out/purchases flash-kafka-sold-out flash-kafka
    rps=$(result_field flash-http purchases_per_s); p99=$(result_field flash-http p99_ms)
    [[ -n $rps && -n $p99 ]] && awk -v r="$rps" -v p="$p99" 'BEGIN {
        printf "floor flash-http-purchases %s (%.0f requests/s, p99 %.1f ms; floor 8000/s, p99 < 50 ms)\n", (r >= 8000 && p < 50 ? "met" : "NOT met"), r, p}')
floor_of() { # label ratio-label minimum: whether a ratio printed above reaches its floor
    local r
    for r in "${ratios[@]}"; do
        [[ $r == "ratio $2 "* ]] && awk -v l="$1" -v x="$(cut -d ' ' -f 3 <<< "$r")" -v m="$3" 'BEGIN {
            printf "floor %s %s (%.2fx; floor %sx)\n", l, (x >= m ? "met" : "NOT met"), x, m}'
    done
    return 0
}
mapfile -t -O "${#ratios[@]}" ratios < <(floor_of flash-kafka-purchases flash-kafka-purchases/pg-hot-row 5
    floor_of flash-http-sold-out flash-http-sold-out/purchases 2; floor_of flash-kafka-sold-out flash-kafka-sold-out/purchases 2)

echo
echo "=== cohort bench: one node, $(nproc) cores, ${node_args[*]:-default node settings}, load average now $(load_average) ==="
for a in "${anchor_lines[@]}"; do echo "$a"; done
for r in "${results[@]}"; do echo "$r"; done
for r in "${ratios[@]}"; do echo "$r"; done
for name in kafka kafka-hot http transfers-http transfers-kafka flash-http flash-kafka echo; do
    [[ -f $work/$name-profile.txt ]] && cat "$work/$name-profile.txt"
done
exit "$status"
