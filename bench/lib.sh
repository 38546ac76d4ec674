# Shared by the bench/ scripts (sourced, not run): package checks, namespace pairs with the test lab's
# addressing, charon (kernel-libipsec) and Petrel daemons started in a namespace, cleanup of only the
# PIDs and namespaces the script created. The caller sets PREFIX, STATE, PETREL and CHARON first.

die()  { echo "$(basename "$0"): $*" >&2; exit 1; }
note() { echo "$(basename "$0"): $*" >&2; }

ensure_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  note "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 || { apt-get update >&2; apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
}

PIDS=()
NSES=()

# Stops the given PIDs (TERM, then KILL after 5 s) and waits for them.
stop_pids() {
  local pid alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for pid in "$@"; do [[ -d /proc/$pid ]] && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
}

bench_cleanup() {
  local ns
  ((${#PIDS[@]})) && stop_pids "${PIDS[@]}"
  for ns in "${NSES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ -n ${KEEP:-} ]]; then note "kept $STATE"; else rm -rf "$STATE"; fi
}

# Namespaces PREFIX<i>l / PREFIX<i>r joined by a veth: 198.18.0.1 and 198.18.0.2, LANs 10.1.0.1/24 and 10.2.0.1/24.
mkpair() {
  local i=$1 l=${PREFIX}$1l r=${PREFIX}$1r side ns outer lan
  ip netns del "$l" 2>/dev/null || true; ip netns del "$r" 2>/dev/null || true
  ip netns add "$l"; NSES+=("$l")
  ip netns add "$r"; NSES+=("$r")
  ip -n "$l" link add eth0 type veth peer name eth0 netns "$r"
  for side in l r; do
    ns=${PREFIX}$i$side
    if [[ $side == l ]]; then outer=198.18.0.1; lan=10.1.0.1; else outer=198.18.0.2; lan=10.2.0.1; fi
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add $outer/24 dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link add lan0 type veth peer name lan0p
    ip -n "$ns" addr add $lan/24 dev lan0
    ip -n "$ns" link set lan0p up
    ip -n "$ns" link set lan0 up
  done
  ip netns exec "$l" ping -c1 -W2 198.18.0.2 >/dev/null
}

# charon with kernel-libipsec, a private /run and its own vici socket (as the C# test harness does);
# SW_CHARON_EXTRA holds more strongswan.conf lines for the charon { } section.
sw_start() {  # ns dir conffile
  local ns=$1 d=$2 conf=$3 p plugins=()
  mkdir -p "$d/run" "$d/swanctl"
  cp "$conf" "$d/swanctl/swanctl.conf"
  for p in random nonce openssl aes sha1 sha2 hmac gcm chapoly curve25519 gmp pem pkcs1 pkcs8 x509 pubkey kdf \
           kernel-libipsec kernel-netlink socket-default vici updown; do
    [[ -e /usr/lib/ipsec/plugins/libstrongswan-$p.so ]] && plugins+=("$p")
  done
  cat > "$d/strongswan.conf" <<SSC
charon {
  load_modular = no
  load = ${plugins[*]}
  install_routes = yes
${SW_CHARON_EXTRA:-}
  plugins {
    vici { socket = unix://$d/charon.vici }
    kernel-libipsec { load = yes }
  }
  syslog { daemon { default = -1 } }
  filelog { bench { path = $d/charon.log
      flush_line = yes
      default = 1 } }
}
swanctl { socket = unix://$d/charon.vici }
SSC
  STRONGSWAN_CONF=$d/strongswan.conf ip netns exec "$ns" unshare --mount --propagation private \
    /bin/sh -c 'mount --bind "$0" /run && exec "$1"' "$d/run" "$CHARON" >"$d/charon.out" 2>&1 </dev/null &
  PIDS+=($!)
  for _ in $(seq 100); do
    swanctl --stats --uri "unix://$d/charon.vici" >/dev/null 2>&1 && break; sleep 0.1
  done
  swanctl --load-all --file "$d/swanctl/swanctl.conf" --uri "unix://$d/charon.vici" >"$d/load.log" 2>&1 || { note "swanctl --load-all failed in $ns: $(tail -2 "$d/load.log")"; return 1; }
}

petrel_start() {  # ns dir conffile [packet_threads]
  local ns=$1 d=$2 conf=$3 threads=${4:-}
  mkdir -p "$d"
  cp "$conf" "$d/swanctl.conf"
  [[ -n $threads ]] && printf 'petrel {\n  packet_threads = %s\n}\n' "$threads" >>"$d/swanctl.conf"
  ip netns exec "$ns" "$PETREL" daemon --config "$d/swanctl.conf" --socket "$d/petrel.sock" >"$d/petrel.log" 2>&1 </dev/null &
  PIDS+=($!)
  for _ in $(seq 150); do
    [[ -S $d/petrel.sock ]] && "$PETREL" list-sas --json --socket "$d/petrel.sock" >/dev/null 2>&1 && return 0
    [[ -d /proc/${PIDS[-1]} ]] || break
    sleep 0.2
  done
  note "petrel daemon in $ns did not come up: $(tail -3 "$d/petrel.log" 2>/dev/null)"
  return 1
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
