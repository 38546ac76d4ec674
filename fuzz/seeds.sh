#!/usr/bin/env bash
# Regenerates the seed corpus fuzz/corpus/TARGET/ from the repository's captures and vectors (needs tshark).
# The corpus is committed: run this only when the captures, vectors or encoders change.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dotnet build "$repo/fuzz/Petrel.Fuzz/Petrel.Fuzz.csproj" -c Release --nologo -v q -clp:ErrorsOnly
dotnet "$repo/fuzz/Petrel.Fuzz/bin/Release/net10.0/Petrel.Fuzz.dll" --write-seeds "$repo"
