#!/usr/bin/env bash
# Fuzzing run (issue 12): every target of fuzz/Petrel.Fuzz under afl-fuzz for SECONDS each (default 60).
#   bench/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]       see fuzz/run.sh and fuzz/README.md
exec "$(dirname "$0")/../fuzz/run.sh" "$@"
