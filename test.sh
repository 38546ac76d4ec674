#!/usr/bin/env bash
# Runs every Petrel test: unit, in-process exchange, and (as root) the namespace and
# strongSwan interop tests. Installs missing Debian packages first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

# The package list lives in tests/packages.txt (package, then the executables the tests start from it).
pkgs=()
while read -r p _; do
  [[ -z "$p" || "$p" == \#* || "$p" == "-" || "$p" == "(sdk)" ]] && continue
  pkgs+=("$p")
done <"$root/tests/packages.txt"
if [[ $(id -u) -eq 0 ]]; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "test.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections || true
    apt-get install -y --no-install-recommends "${missing[@]}" >&2 || { apt-get update >&2; apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  fi
fi

dotnet build Petrel.slnx -c Release --nologo -v q -clp:ErrorsOnly
results="$root/TestResults"
rm -rf "$results"
status=0
# The harness records every executable the tests start here; tests/check-packages.sh checks them below.
export PETREL_EXEC_LOG="$results/executables"
# One test project at a time (-m:1): on a 2-core machine four projects at once starve each other's
# timers; xunit still runs each project's test classes in parallel.
dotnet test Petrel.slnx -c Release --no-build --nologo -v q -m:1 --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [[ -f "$f" ]] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c"); failed=$((failed + ${x:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c"); skipped=$((skipped + ${n:-0}))
done
if [[ $(id -u) -eq 0 ]]; then
  "$root/tests/check-packages.sh" "$PETREL_EXEC_LOG" || status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
if ((passed == 0)); then exit 1; fi
exit $status
