#!/usr/bin/env bash
# Installs the Debian packages Cohort needs (PostgreSQL, kcat) when any is missing. librdkafka is not one of them:
# Confluent.Kafka loads the one NuGet's librdkafka.redist ships. Silent when everything is there; apt-get's output
# is shown only when it fails.
set -euo pipefail

packages=(postgresql kcat)

missing=()
for package in "${packages[@]}"; do
    # dpkg -s also succeeds for removed packages that left their configuration behind: check the state.
    if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed$'; then
        missing+=("$package")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

log=$(mktemp -t cohort-install-deps.XXXXXX)
echo "install-deps: installing ${missing[*]}"
if ! { "${sudo[@]}" apt-get update -qq &&
       "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    echo "install-deps: apt-get failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"
