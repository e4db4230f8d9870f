#!/usr/bin/env bash
# Installs what is missing, builds Cluster.sln in Release and runs every test against one throwaway PostgreSQL.
# Ends with a "N passed, N failed" line and the test run's exit code.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh

work=$(mktemp -d -t cohort-test.XXXXXX)
# The PostgreSQL server runs as the postgres user, which must be able to enter its folder.
chmod 755 "$work"
cleanup() {
    scripts/postgres-dev.sh stop "$work/postgres" || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! dotnet build Cluster.sln -c Release -v q -nologo >"$work/build.log" 2>&1; then
    echo "test.sh: build failed:" >&2
    grep -E ': error ' "$work/build.log" | sort -u >&2 || cat "$work/build.log" >&2
    exit 1
fi

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A random free port, and another one if some process takes it before PostgreSQL binds.
for attempt in 1 2 3; do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" && continue
    if COHORT_TEST_POSTGRES=$(scripts/postgres-dev.sh start "$work/postgres" "$port" 2>"$work/postgres-start.log"); then
        break
    fi
    [[ $attempt -eq 3 ]] && { cat "$work/postgres-start.log" >&2; exit 1; }
done
export COHORT_TEST_POSTGRES

status=0
# One test project at a time (-m:1): the node-process failover tests measure failover time, and a second
# project's nodes on the same two cores would only measure contention.
dotnet test Cluster.sln -c Release --no-build --nologo -m:1 \
    --logger trx --results-directory "$work/results" || status=$?

# Every test project writes its own .trx; their Counters elements hold the totals.
count() {
    local value
    value=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters")
    echo "${value:-0}"
}
passed=0
failed=0
while read -r counters; do
    passed=$((passed + $(count passed)))
    failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
done < <(cat "$work"/results/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' || true)

if [[ $status -ne 0 && $failed -eq 0 ]]; then
    echo "test.sh: the test run did not complete (dotnet test exited with $status)" >&2
fi
echo "$passed passed, $failed failed"
exit "$status"
