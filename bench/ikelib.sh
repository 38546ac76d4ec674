# Shared by bench/ike-load.sh and bench/flood.sh (sourced after bench/lib.sh, not run): strongSwan's
# load-tester plugin built from the Debian source of the installed strongSwan, charon started with it in a
# namespace, and per-process CPU / RSS readings from /proc.

BENCH_CACHE=${BENCH_CACHE:-/var/cache/petrel-bench}
SYS_PLUGINS=/usr/lib/ipsec/plugins

# Debian does not ship libstrongswan-load-tester.so. Builds it once from the Debian source package of the
# installed libstrongswan (only that plugin; ~1 min) into $BENCH_CACHE/plugins and prints its path. apt-get
# source needs a deb-src entry: when no deb-src line exists, one is added for Debian's own repositories
# (/etc/apt/sources.list.d/petrel-bench-src.sources), with a note on stderr.
build_load_tester() {
  local out=$BENCH_CACHE/plugins/libstrongswan-load-tester.so ver upstream src v tarball f tmp
  ver=$(dpkg-query -W -f='${Version}' libstrongswan)
  if [[ -f $out && -f $out.version && $(cat "$out.version") == "$ver" ]]; then echo "$out"; return 0; fi
  ensure_pkgs gcc make pkg-config bzip2 xz-utils dpkg-dev
  upstream=${ver%%-*}; upstream=${upstream#*:}
  src=$BENCH_CACHE/src
  rm -rf "$src"; mkdir -p "$src"
  if ! grep -rqsE '^(deb-src |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    note "no deb-src entry: adding /etc/apt/sources.list.d/petrel-bench-src.sources (deb-src of the Debian entries) for apt-get source"
    tmp=$(mktemp)
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f && $f != */petrel-bench-src.sources ]] || continue
      grep -q debian "$f" || continue
      sed 's/^Types: deb$/Types: deb-src/' "$f"; echo
    done >"$tmp"
    if [[ -f /etc/apt/sources.list ]]; then
      grep -E '^deb [^ ]*debian' /etc/apt/sources.list | sed 's/^deb /deb-src /' >"$tmp.list" || true
      [[ -s $tmp.list ]] && install -m 0644 "$tmp.list" /etc/apt/sources.list.d/petrel-bench-src.list
      rm -f "$tmp.list"
    fi
    [[ -s $tmp ]] && install -m 0644 "$tmp" /etc/apt/sources.list.d/petrel-bench-src.sources
    rm -f "$tmp"
    apt-get update >&2
  fi
  # Only the upstream tarball is used: the installed revision first, then any source revision of that version.
  for v in "$ver" $(apt-cache showsrc strongswan 2>/dev/null | awk '/^Version:/ {print $2}'); do
    [[ ${v%%-*} == "$upstream" ]] || continue
    (cd "$src" && apt-get source --download-only "strongswan=$v" >&2) || true
    tarball=$(compgen -G "$src/strongswan_$upstream.orig.tar.*" | grep -v '\.asc$' | head -1 || true)
    [[ -n $tarball ]] && break
  done
  [[ -n ${tarball:-} ]] || die "could not download the source of strongswan $upstream"
  tar -C "$src" -xf "$tarball"
  note "building the load-tester plugin of strongswan $upstream (log: $src/build.log)"
  # Debian's paths, so that the plugin matches the installed libcharon; gmp/openssl are not needed to build it.
  (cd "$src/strongswan-$upstream" &&
    ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var --libexecdir=/usr/lib \
      --with-ipsecdir=/usr/lib/ipsec --with-plugindir=$SYS_PLUGINS \
      --enable-mediation --enable-load-tester --disable-gmp --disable-openssl &&
    make -C src/libcharon/plugins/load_tester libstrongswan-load-tester.la) >"$src/build.log" 2>&1 ||
    die "load-tester build failed: $(tail -5 "$src/build.log")"
  install -D -m 0644 "$src/strongswan-$upstream/src/libcharon/plugins/load_tester/.libs/libstrongswan-load-tester.so" "$out"
  echo "$ver" >"$out.version"
  rm -rf "$src/strongswan-$upstream" "$src"/strongswan_*
  echo "$out"
}

# charon in namespace ns with strongswan.conf dconf (written by the caller) and the load-tester plugin made
# visible to it alone: a private mount namespace where a directory of symlinks to the real plugins plus the
# built .so is bind-mounted over $SYS_PLUGINS (the real dir stays reachable under $d/plugins/sys). Own /run
# (charon's pid file), own session (the load-tester ends a test with kill(0, SIGTERM)). Sets LT_PID to
# charon's PID (the launcher execs it) and adds it to PIDS.
lt_charon_start() {  # ns dir strongswan.conf
  local ns=$1 d=$2 conf=$3 p so
  so=$(build_load_tester)
  mkdir -p "$d/run" "$d/plugins/sys" "$d/plugins/all"
  rm -f "$d/plugins/all/"*
  for p in "$SYS_PLUGINS"/*.so; do ln -s "$d/plugins/sys/${p##*/}" "$d/plugins/all/${p##*/}"; done
  cp "$so" "$d/plugins/all/"
  STRONGSWAN_CONF=$conf setsid ip netns exec "$ns" unshare --mount --propagation private /bin/sh -c '
    mount --bind "$0" /run && mount --bind "$3" "$2/sys" && mount --bind "$2/all" "$3" || exit 1
    exec "$1"' "$d/run" "$CHARON" "$d/plugins" "$SYS_PLUGINS" >"$d/charon.out" 2>&1 </dev/null &
  LT_PID=$!
  PIDS+=("$LT_PID")
}

# Plugins that charon loads, in order, of those installed (+ load-tester when asked); kernel-libipsec precedes
# kernel-netlink, load-tester precedes both so its fake kernel interface wins where enabled.
charon_plugins() {  # [load-tester]
  local p out=()
  for p in random nonce openssl aes sha1 sha2 hmac gcm chapoly curve25519 gmp pem pkcs1 pkcs8 x509 pubkey kdf \
           "$@" kernel-libipsec kernel-netlink socket-default vici updown; do
    [[ $p == load-tester || -e $SYS_PLUGINS/libstrongswan-$p.so ]] && out+=("$p")
  done
  echo "${out[*]}"
}

# utime+stime of a process in ms (from /proc/PID/stat; fields after the ')' of comm).
proc_cpu_ms() {
  local hz; hz=$(getconf CLK_TCK)
  awk -v hz="$hz" '{sub(/.*\) /, ""); print int(($12 + $13) * 1000 / hz)}' "/proc/$1/stat"
}

# Resident set size of a process in kB.
proc_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# The responder PIDs measured are PIDS[-1] after bench/lib.sh's sw_start / petrel_start: `ip netns exec`
# execs its command, unshare and sh exec charon, and ./petrel execs dotnet, so that PID is the daemon's.

# One line on what else the machine is doing: load average and the top CPU users.
machine_load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg); top CPU: $(ps -eo pcpu,comm --sort=-pcpu --no-headers | head -4 | awk '{printf "%s %s%%, ", $2, $1}')"; }
