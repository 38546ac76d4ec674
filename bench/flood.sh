#!/usr/bin/env bash
# IKE_SA_INIT flood from spoofed sources against a responder that also carries a tunnel, charon 5.9.8 and
# Petrel taking turns in one run (interleaved when ROUNDS > 1). Namespaces PREFIX1l (initiator side and
# flooder) and PREFIX1r (responder: charon with kernel-libipsec as bench/lib.sh starts it, or Petrel).
#   0. calibration, no responder running: the C sender (bench/ikeflood.c, compiled here with gcc: raw IPv4
#      socket with our own headers, sendmmsg batches of 64) and a Python raw-socket sender each send for
#      CAL_SECS; the faster one (the C one, see bench/IKE-RESULTS.md) floods.
# Per responder and round, fresh daemons:
#   1. the responder starts with its default DoS settings (charon: cookie_threshold 30, cookie_threshold_ip
#      3, block_threshold 5; Petrel: cookie_threshold 30, block_threshold 5; PETREL_BLOCK_THRESHOLD=0 turns it off);
#      its connection takes any remote address (a remote-access gateway), so flooded requests reach the DH
#      path until the cookie threshold is met; replies to the spoofed range 198.18.128.0/17 are routed back
#      to the left namespace, which drops them;
#   2. a charon in the left namespace (kernel-libipsec) sets up IKE SA "tun" (CHILD_SA 10.1.0.1/32 ⇄
#      10.2.0.0/24), timed as a no-flood reference; responder VmRSS is read;
#   3. ping 10.1.0.1 → 10.2.0.1 through the tunnel, 10/s, from 2 s before the flood to 4 s after it;
#   4. the flood: IKE_SA_INIT requests to 198.18.0.2:500 from 198.18.128.0/17, FLOOD_SECS s, one core;
#   5. LEGIT_AT s into the flood the left charon initiates IKE SA "legit" (CHILD_SA 10.1.0.2/32): the time
#      from `swanctl --initiate` to its return (established, or failed after 60 s) is the legitimate setup time;
#   6. responder VmRSS right after the flood (and its peak, sampled every 0.2 s), pings lost.
#
# Usage (root; takes the namespace lock itself):
#   bench/flood.sh                      FLOOD_SECS=15 ROUNDS=1 SETUPS="sw petrel"
#   SETUPS=petrel ROUNDS=3 bench/flood.sh
#   PETREL_LOG_LEVEL=warning SETUPS=petrel bench/flood.sh     Petrel with petrel { log_level = … } (default:
#                                       none set, i.e. info, which logs every COOKIE it sends)
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETNS_LOCK=${NETNS_LOCK:-}  # set to a lock file to serialise runs that share namespace names
if [[ -n $NETNS_LOCK && -z ${FLOOD_LOCKED:-} ]]; then
  export FLOOD_LOCKED=1
  exec flock "$NETNS_LOCK" "$0" "$@"
fi

FLOOD_SECS=${FLOOD_SECS:-15}
LEGIT_AT=${LEGIT_AT:-7}
CAL_SECS=${CAL_SECS:-3}
ROUNDS=${ROUNDS:-1}
SETUPS=${SETUPS:-sw petrel}
IKE=${IKE:-aes128gcm16-prfsha256-ecp256}
ESP=${ESP:-aes128gcm16}
SPOOF=${SPOOF:-198.18.128.0/17}
PREFIX=${PREFIX:-pkf}
PETREL_LOG_LEVEL=${PETREL_LOG_LEVEL:-}
PETREL_BLOCK_THRESHOLD=${PETREL_BLOCK_THRESHOLD:-}  # 0 turns Petrel's per-address blocking off (default 5, as charon)
PETREL=${PETREL:-$root/petrel}
CHARON=/usr/lib/ipsec/charon
STATE=$(mktemp -d /tmp/petrel-flood.XXXXXX)
PSK=petrel-flood-psk-0123456789

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
# shellcheck source=bench/ikelib.sh
source "$root/bench/ikelib.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, raw sockets)"
read -ra setups <<<"$SETUPS"
for s in "${setups[@]}"; do [[ $s == sw || $s == petrel ]] || die "unknown responder $s (sw or petrel)"; done
ensure_pkgs iproute2 iputils-ping util-linux procps python3 gcc libc6-dev strongswan-charon strongswan-swanctl \
  libstrongswan-standard-plugins libstrongswan-extra-plugins libcharon-extra-plugins
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
"$PETREL" --version >/dev/null || die "cannot run $PETREL"
gcc -O2 -Wall -o "$STATE/ikeflood" "$root/bench/ikeflood.c" || die "cannot compile bench/ikeflood.c"

# The Python sender, for the calibration: the same IKE_SA_INIT built once, sendto per packet with a new
# source address and SPIi.
cat >"$STATE/ikeflood.py" <<'PY'
import ipaddress, os, socket, struct, sys, time
dst, net, secs = sys.argv[1], ipaddress.ip_network(sys.argv[2]), float(sys.argv[3])
gxy = bytes.fromhex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
tr = (struct.pack("!BBHBBHHH", 3, 0, 12, 1, 0, 20, 0x800E, 128) + struct.pack("!BBHBBH", 3, 0, 8, 2, 0, 5)
      + struct.pack("!BBHBBH", 0, 0, 8, 4, 0, 19))
prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(tr), 1, 1, 0, 3) + tr
sa = struct.pack("!BBH", 34, 0, 4 + len(prop)) + prop
ke = struct.pack("!BBHHH", 40, 0, 8 + 64, 19, 0) + gxy
nonce = struct.pack("!BBH", 0, 0, 36) + os.urandom(32)
body = sa + ke + nonce
ike_len = 28 + len(body)
udp = struct.pack("!HHHH", 500, 500, 8 + ike_len, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
d = socket.inet_aton(dst)
hosts = [int(h) for h in net.hosts() if int(h) & 0xFF not in (0, 255)]
sent, i, t0 = 0, 0, time.monotonic()
end = t0 + secs
while True:
    for _ in range(256):
        src = hosts[i % len(hosts)]; i += 1
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + ike_len, 0, 0x4000, 64, 17, 0, struct.pack("!I", src), d)
        ike = struct.pack("!QQBBBBII", i, 0, 33, 0x20, 34, 0x08, 0, ike_len)
        s.sendto(ip + udp + ike + body, (dst, 0))
        sent += 1
    if time.monotonic() >= end:
        break
el = time.monotonic() - t0
print("sent %d packets in %.2f s = %.0f pps (0 send errors)" % (sent, el, sent / el))
PY

pps_of() { sed -n 's/.* = \([0-9]*\) pps.*/\1/p' "$1"; }

# "InDatagrams RcvbufErrors" of the UDP counters in namespace ns.
udp_counters() { ip netns exec "$1" awk '/^Udp:/ {n++} /^Udp:/ && n == 2 {print $2, $6}' /proc/net/snmp; }

responder_conf() {
  cat <<CONF
connections {
  gw {
    version = 2
    local_addrs = 198.18.0.2
    encap = yes
    proposals = $IKE
    dpd_delay = 0
    unique = never
    local {
      auth = psk
      id = gw.bench
    }
    remote {
      auth = psk
    }
    children {
      net {
        local_ts = 10.2.0.0/24
        remote_ts = 10.1.0.0/16
        esp_proposals = $ESP
      }
    }
  }
}
secrets {
  ike-all {
    secret = "$PSK"
  }
}
CONF
  if [[ -n $PETREL_LOG_LEVEL || -n $PETREL_BLOCK_THRESHOLD ]]; then
    echo "petrel {"
    [[ -z $PETREL_LOG_LEVEL ]] || echo "  log_level = $PETREL_LOG_LEVEL"
    [[ -z $PETREL_BLOCK_THRESHOLD ]] || echo "  block_threshold = $PETREL_BLOCK_THRESHOLD"
    echo "}"
  fi
}

initiator_conf() {
  local name k
  echo "connections {"
  for name in tun legit; do
    if [[ $name == tun ]]; then k=1; else k=2; fi
    cat <<CONF
  $name {
    version = 2
    local_addrs = 198.18.0.1
    remote_addrs = 198.18.0.2
    encap = yes
    proposals = $IKE
    dpd_delay = 0
    local {
      auth = psk
      id = $name.bench
    }
    remote {
      auth = psk
      id = gw.bench
    }
    children {
      $name {
        local_ts = 10.1.0.$k/32
        remote_ts = 10.2.0.0/24
        esp_proposals = $ESP
      }
    }
  }
CONF
  done
  echo "}"
  cat <<CONF
secrets {
  ike-all {
    secret = "$PSK"
  }
}
CONF
}

# Seconds taken by `swanctl --initiate` of one IKE SA + CHILD_SA of the left charon; "fail" when it failed.
initiate_time() {  # dir name
  local d=$1 name=$2 t0 t1 rc=0
  t0=$(date +%s.%N)
  swanctl --initiate --ike "$name" --child "$name" --timeout 60 --uri "unix://$d/charon.vici" >"$d/initiate-$name.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  if ((rc)); then echo fail; else awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}'; fi
}

# Sets RESULT to "pps rss_before_MB rss_after_MB rss_peak_MB growth_MB pings_sent pings_lost legit_s ref_s".
measure() {  # responder round
  local kind=$1 round=$2 d l=${PREFIX}1l r=${PREFIX}1r rpid rss0 rss1 peak ref legit pps sent recv pids_before=${#PIDS[@]}
  local fpid ppid spid lpid u0 u1
  d=$STATE/$kind/round$round
  mkdir -p "$d/r" "$d/l"
  responder_conf >"$d/r.conf"
  initiator_conf >"$d/l.conf"
  unset SW_CHARON_EXTRA
  RESULT="0 0 0 0 0 0 0 fail fail"
  if [[ $kind == sw ]]; then sw_start "$r" "$d/r" "$d/r.conf"; else petrel_start "$r" "$d/r" "$d/r.conf"; fi ||
    { note "$kind round $round: responder did not start"; return; }
  rpid=${PIDS[-1]}
  sw_start "$l" "$d/l" "$d/l.conf" || { note "$kind round $round: initiator did not start"; stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}"); return; }
  ref=$(initiate_time "$d/l" tun)
  if [[ $ref == fail ]] || ! ip netns exec "$l" ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 >"$d/ping-check.log" 2>&1; then
    note "$kind round $round: the tunnel did not come up or pass a ping ($d)"
    stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}"); return
  fi
  sleep 1
  rss0=$(proc_rss_kb "$rpid")
  echo "$rss0" >"$d/rss-peak"
  (while [[ -d /proc/$rpid ]]; do
     v=$(proc_rss_kb "$rpid" 2>/dev/null || echo 0)
     (( v > $(cat "$d/rss-peak") )) && echo "$v" >"$d/rss-peak"
     sleep 0.2
   done) &
  spid=$!
  ip netns exec "$l" ping -q -i 0.1 -W 1 -c $(((FLOOD_SECS + 6) * 10)) -I 10.1.0.1 10.2.0.1 >"$d/ping.log" 2>&1 &
  ppid=$!
  sleep 2
  u0=$(udp_counters "$r")
  ip netns exec "$l" "$STATE/ikeflood" 198.18.0.2 "$SPOOF" "$FLOOD_SECS" >"$d/flood.log" 2>&1 &
  fpid=$!
  (sleep "$LEGIT_AT"; initiate_time "$d/l" legit >"$d/legit") &
  lpid=$!
  wait "$fpid" || note "$kind round $round: flood sender failed: $(cat "$d/flood.log")"
  rss1=$(proc_rss_kb "$rpid")
  u1=$(udp_counters "$r")
  wait "$lpid" || true
  wait "$ppid" || true
  kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
  peak=$(cat "$d/rss-peak")
  legit=$(cat "$d/legit")
  pps=$(pps_of "$d/flood.log")
  sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$d/ping.log")
  recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$d/ping.log")
  # UDP datagrams the responder's namespace took in / dropped for a full receive buffer during the flood.
  echo "$u0 $u1" | awk '{printf "received %d, dropped (receive buffer full) %d", $3 - $1, $4 - $2}' >"$d/udp-stats"
  stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}")
  RESULT=$(awk -v p="${pps:-0}" -v a="$rss0" -v b="$rss1" -v k="$peak" -v s="${sent:-0}" -v r="${recv:-0}" -v l="$legit" -v f="$ref" \
    'BEGIN {printf "%d %.1f %.1f %.1f %.1f %d %d %s %s", p, a / 1024, b / 1024, k / 1024, (b - a) / 1024, s, s - r, l, f}')
}

note "state in $STATE; $(machine_load)"
mkpair 1
ip -n "${PREFIX}1l" addr add 10.1.0.2/32 dev lan0
ip -n "${PREFIX}1r" route add "$SPOOF" via 198.18.0.1

# 0. calibration of the two senders (nothing listens on 198.18.0.2:500 yet).
ip netns exec "${PREFIX}1l" "$STATE/ikeflood" 198.18.0.2 "$SPOOF" "$CAL_SECS" >"$STATE/cal-c.log"
ip netns exec "${PREFIX}1l" python3 "$STATE/ikeflood.py" 198.18.0.2 "$SPOOF" "$CAL_SECS" >"$STATE/cal-py.log"
cal_c=$(pps_of "$STATE/cal-c.log"); cal_py=$(pps_of "$STATE/cal-py.log")
note "calibration (${CAL_SECS}s, no responder): C sendmmsg $cal_c pps, Python raw socket $cal_py pps"

started=$(date -u '+%Y-%m-%d %H:%M UTC')
declare -A res
loads=()
for round in $(seq "$ROUNDS"); do
  for s in "${setups[@]}"; do
    ld=$(cut -d' ' -f1 /proc/loadavg)
    loads+=("$ld")
    measure "$s" "$round"
    res[$s]="${res[$s]:-}$RESULT|"
    note "round $round $s: $RESULT (pps, RSS MB before/after/peak/growth, pings sent/lost, legit s, no-flood s); load before $ld; UDP $(cat "$STATE/$s/round$round/udp-stats" 2>/dev/null); $(machine_load)"
  done
done

echo
echo "IKE_SA_INIT flood (spoofed $SPOOF → 198.18.0.2:500, ${FLOOD_SECS}s, C sender on one core), IKE $IKE, Petrel log_level ${PETREL_LOG_LEVEL:-default}, $(nproc) CPUs, started $started"
echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?); sender calibration ${CAL_SECS}s: C $cal_c pps, Python $cal_py pps; load average (1 min) before each: ${loads[*]}"
printf '%-8s %-6s %10s %9s %9s %9s %10s %11s %11s %11s\n' responder round "flood pps" "RSS0 MB" "RSS1 MB" "peak MB" "growth MB" "pings lost" "legit s" "no-flood s"
for s in "${setups[@]}"; do
  IFS='|' read -ra rows <<<"${res[$s]}"
  k=0
  for row in "${rows[@]}"; do
    k=$((k + 1))
    read -r pps a b pk g ps pl lg rf <<<"$row"
    printf '%-8s %-6s %10s %9s %9s %9s %10s %11s %11s %11s\n' "$s" "$k" "$pps" "$a" "$b" "$pk" "$g" "$pl/$ps" "$lg" "$rf"
  done
done
