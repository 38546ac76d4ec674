#!/usr/bin/env bash
# Usage: tests/check-packages.sh DIR
# DIR holds the executables the tests started (one per line, written by tests/Shared/ExecutableLog.cs
# when PETREL_EXEC_LOG=DIR). Fails, one line per executable, when one's Debian package is neither in
# tests/packages.txt nor on every Debian system (Priority required or Essential).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list="$root/tests/packages.txt"
dir=${1:?usage: check-packages.sh DIR}

declare -A listed=() sdk=()
while read -r pkg exes; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  if [[ "$pkg" == "(sdk)" ]]; then
    for e in $exes; do sdk[$e]=1; done
  elif [[ "$pkg" != "-" ]]; then
    listed[$pkg]=1
  fi
done <"$list"

# The package that owns an executable. Debian 12 has merged /usr, but dpkg knows many files
# by their /bin or /sbin name, so try those forms too.
owner() {
  local path=$1 real base candidate line
  real=$(readlink -f -- "$path")
  for candidate in "$path" "$real"; do
    base=${candidate##*/}
    for c in "$candidate" "/bin/$base" "/sbin/$base" "/usr/bin/$base" "/usr/sbin/$base"; do
      line=$(dpkg -S "$c" 2>/dev/null | grep -E '^[a-z0-9][a-z0-9.+-]*(:[a-z0-9]+)?(, [a-z0-9.+:-]+)*: /' | head -1) || true
      if [[ -n "$line" ]]; then echo "${line%%[:,]*}"; return 0; fi
    done
  done
  return 1
}

shopt -s nullglob
files=("$dir"/*.txt)
if ((${#files[@]} == 0)); then
  echo "check-packages: the tests started no executables (nothing to check)" >&2
  exit 0
fi
status=0
while read -r exe; do
  [[ -z "$exe" ]] && continue
  name=${exe##*/}
  [[ -n "${sdk[$name]:-}" ]] && continue
  if [[ "$exe" == /* ]]; then path=$exe; else path=$(command -v -- "$exe" || true); fi
  if [[ -z "$path" || "$path" != /* ]]; then
    [[ -z "$path" ]] && { echo "check-packages: the tests start '$exe', which is not installed: add its package to tests/packages.txt" >&2; status=1; }
    continue  # a shell builtin
  fi
  if ! pkg=$(owner "$path"); then
    echo "check-packages: the tests start '$exe' ($path), which no Debian package owns: list it in tests/packages.txt" >&2
    status=1
    continue
  fi
  [[ -n "${listed[$pkg]:-}" ]] && continue
  read -r priority essential < <(dpkg-query -W -f='${Priority} ${Essential}\n' "$pkg" 2>/dev/null || echo "unknown no")
  [[ "$priority" == required || "$essential" == yes ]] && continue
  echo "check-packages: the tests start '$exe' ($path) from package $pkg, which tests/packages.txt does not list (Priority $priority): add it" >&2
  status=1
done < <(sort -u "${files[@]}")
exit $status
