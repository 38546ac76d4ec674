#!/usr/bin/env bash
# Fuzzes each target under afl-fuzz (Debian's afl++) through SharpFuzz for a set time, then prints a table of
# executions, paths and crashes per target. Crashing inputs are copied to fuzz/crashes/TARGET/ (replayed by
# tests/Petrel.Tests/Fuzz/CorpusReplayTests after the fix), and new corpus entries can be kept with KEEP=1.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]      (default 60 s, every target)
#
# Needs: afl++ (afl-fuzz), the .NET SDK; installs the SharpFuzz instrumenter (dotnet tool SharpFuzz.CommandLine 2.3.0)
# into $FUZZ_WORK/tools. Work files go to $FUZZ_WORK (default /tmp/petrel-fuzz).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
work=${FUZZ_WORK:-/tmp/petrel-fuzz}
out=$work/bin
mkdir -p "$work"

if ! command -v afl-fuzz >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "afl-fuzz is missing: apt-get install afl++" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q afl++ >/dev/null
fi
if [ ! -x "$work/tools/sharpfuzz" ]; then
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
fi

# FUZZ_NO_BUILD=1 reuses the instrumented build of the last run (e.g. while the tree is being rebuilt).
if [ "${FUZZ_NO_BUILD:-0}" != 1 ] || [ ! -f "$out/Petrel.Fuzz.dll" ]; then
    rm -rf "$out"
    dotnet publish "$repo/fuzz/Petrel.Fuzz/Petrel.Fuzz.csproj" -c Release -o "$out" --nologo -v q -clp:ErrorsOnly >/dev/null
    # Coverage feedback comes from these assemblies (the runtime and the other packages run uninstrumented),
    # and BouncyCastle, whose ASN.1 and X.509 code the certificate target drives.
    for dll in Petrel.Crypto.dll Petrel.DataPlane.dll Petrel.Ike.dll Petrel.Platform.dll petrel.dll BouncyCastle.Cryptography.dll; do
        "$work/tools/sharpfuzz" "$out/$dll" >/dev/null
    done
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(dotnet "$out/Petrel.Fuzz.dll" --list)

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1
printf '%-14s %10s %9s %8s %8s %7s\n' target execs execs/s paths crashes hangs
for t in "${targets[@]}"; do
    findings=$work/findings/$t
    rm -rf "$findings"; mkdir -p "$work/findings"
    afl-fuzz -i "$repo/fuzz/corpus/$t" -o "$findings" -V "$seconds" -t 5000+ -m none -- dotnet "$out/Petrel.Fuzz.dll" "$t" \
        > "$work/$t.log" 2>&1 || { echo "$t: afl-fuzz failed, see $work/$t.log" >&2; tail -5 "$work/$t.log" >&2; continue; }
    stats=$findings/default/fuzzer_stats
    get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
    printf '%-14s %10s %9s %8s %8s %7s\n' "$t" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
    crashes=("$findings"/default/crashes/id:*)
    if [ -e "${crashes[0]}" ]; then
        mkdir -p "$repo/fuzz/crashes/$t"
        for c in "${crashes[@]}"; do cp "$c" "$repo/fuzz/crashes/$t/crash-$(sha256sum "$c" | cut -c1-16)"; done
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        for q in "$findings"/default/queue/id:*; do cp "$q" "$repo/fuzz/corpus/$t/afl-$(sha256sum "$q" | cut -c1-16)"; done
    fi
done
