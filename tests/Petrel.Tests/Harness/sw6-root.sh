#!/bin/sh
# Builds the Debian 13 (trixie) root that the strongSwan 6 interop tests run charon from, once:
# debootstrap into a temporary folder beside the cache, then rename it into place, so an
# interrupted build never leaves a half root that looks finished. Prints the seconds it took.
#   sw6-root.sh [ROOT]     (default /var/cache/petrel-sw6)
set -eu
root=${1:-/var/cache/petrel-sw6}
[ -x "$root/usr/lib/ipsec/charon" ] && exit 0
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
start=$(date +%s)
tmp="$root.building.$$"
rm -rf "$tmp"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase \
  --include=strongswan-charon,strongswan-swanctl,libstrongswan-standard-plugins,libstrongswan-extra-plugins,libcharon-extra-plugins \
  trixie "$tmp" "$mirror" > "$tmp.log" 2>&1 || { echo "debootstrap failed, see $tmp.log" >&2; exit 1; }
rm -rf "$tmp/var/cache/apt/archives"/*.deb
mv "$tmp" "$root"
rm -f "$tmp.log"
echo "built $root in $(( $(date +%s) - start )) s"
