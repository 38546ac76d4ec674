#!/usr/bin/env bash
# iperf3 TCP throughput through real tunnels, each setup in its own pair of network namespaces:
#   plain veth (no IPsec), strongSwan⇄strongSwan, Petrel⇄strongSwan, Petrel⇄Petrel,
#   with AES-128-GCM-16 (aes128gcm16-prfsha256-ecp256 / esp aes128gcm16) and
#   AES-128-CBC + HMAC-SHA2-256-128 (aes128-sha256-modp2048 / esp aes128-sha256).
# All setups are established first, then measured in interleaved rounds (round 1 of every
# setup, then round 2, …) so that load from other work on the machine spreads evenly; the
# table shows each round and the median, and ratios to plain veth and to strongSwan.
#
# Usage (root):  bench/iperf.sh            SECS=10 ROUNDS=3 by default
#                SETUPS="plain sw-sw:gcm" bench/iperf.sh    a subset
#                PETREL=/path/to/petrel   the petrel command (default: the repo's ./petrel wrapper)
#                P=4                      parallel iperf3 streams (-P; default 1)
#                SETUPS="petrel-petrel:cbc@1 petrel-petrel:cbc"   "@N" runs the Petrel daemons with
#                                         petrel { packet_threads = N } (default 1)
#                MODE=udp SECS=5 bench/iperf.sh   UDP packet rates instead of TCP: every setup × payload
#                                         size (SIZES="100 1300 imix") × offered rate (RATES="100M 300M
#                                         500M 1G 2G 0", 0 = unlimited), delivered packets/s and loss
#                                         then a summary: the issue 17 targets as ratios of this run's cells
#                UDP_WINDOW=2M            iperf3 -w: both UDP sockets' buffers (the server's receive buffer
#                                         takes bursts; default: the system's 208 KB), for every setup alike
#                UDP_ROUNDS=3             every UDP cell three times, interleaved; the table shows medians
#                MODE=drops SETUPS=petrel-petrel:gcm RATES="1G 0" bench/iperf.sh   where packets are lost at
#                                         each rate: both daemons' `petrel stats` and both namespaces' UDP
#                                         receive-buffer overflows (DROP_SIZE=1300)
#                MODE=all SECS=5 bench/iperf.sh   the UDP grid and then TCP rounds over the same tunnels, one run
#                SETUPS="petrel-petrel:gcm petrel-petrel:gcm%-10"   "%N" puts both daemons' packet threads at
#                                         nice N (petrel { packet_nice = N }); default: unchanged
#                MODE=perf SETUPS=petrel-petrel:gcm bench/iperf.sh   perf record of the daemons in one UDP run
#                                         (PERF_SIZE=1300 PERF_RATE=0): the hottest commands and symbols
#                SETUPS="… base-base:gcm" PETREL_BASE=/path/to/other/petrel   a second Petrel build
#                                         (e.g. the commit before a change) measured in the same run
# Extra setup (not in the default list): petrel-petrel-raw:gcm|cbc, Petrel⇄Petrel with encap = no,
# i.e. plain ESP over raw IP protocol 50 sockets (no NAT in the lab, so no UDP encapsulation).
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-3}
P=${P:-1}
PREFIX=${PREFIX:-pbn}
PETREL=${PETREL:-$root/petrel}
CHARON=/usr/lib/ipsec/charon
SETUPS=${SETUPS:-plain sw-sw:gcm sw-sw:cbc wg-wg:chacha petrel-sw:gcm petrel-sw:cbc petrel-petrel:gcm petrel-petrel:cbc}
STATE=$(mktemp -d /tmp/petrel-bench.XXXXXX)
PSK=petrel-bench-psk-0123456789

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"

ensure_pkgs iproute2 iputils-ping iperf3 jq util-linux strongswan-charon strongswan-swanctl \
  libstrongswan-standard-plugins libstrongswan-extra-plugins libcharon-extra-plugins
[[ " $SETUPS " == *" wg-wg"* ]] && ensure_pkgs wireguard-go wireguard-tools

trap bench_cleanup EXIT
trap 'exit 130' INT TERM

proposals() {  # gcm|cbc -> "IKE ESP"
  case $1 in
    gcm) echo "aes128gcm16-prfsha256-ecp256 aes128gcm16" ;;
    cbc) echo "aes128-sha256-modp2048 aes128-sha256" ;;
  esac
}

swanctl_conf() {  # side(l|r) ike esp [encap yes|no]
  local side=$1 ike=$2 esp=$3 encap=${4:-yes} me peer myid peerid mynet peernet
  if [[ $side == l ]]; then me=198.18.0.1 peer=198.18.0.2 myid=left peerid=right mynet=10.1.0.0/24 peernet=10.2.0.0/24
  else me=198.18.0.2 peer=198.18.0.1 myid=right peerid=left mynet=10.2.0.0/24 peernet=10.1.0.0/24; fi
  cat <<CONF
connections {
  bench {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    encap = $encap
    proposals = $ike
    dpd_delay = 0
    local {
      auth = psk
      id = $myid
    }
    remote {
      auth = psk
      id = $peerid
    }
    children {
      net {
        mode = tunnel
        local_ts = $mynet
        remote_ts = $peernet
        esp_proposals = $esp
        start_action = none
      }
    }
  }
}
secrets {
  ike-bench {
    id-1 = left
    id-2 = right
    secret = "$PSK"
  }
}
CONF
}


# wireguard-go in the foreground (so its PID is ours to stop) on a TUN named per pair, since the
# UAPI sockets in /var/run/wireguard are shared by all namespaces; this kernel has no WireGuard
# module, so wg(8) talks to wireguard-go through that socket.
wg_start() {  # ns dev dir
  local ns=$1 dev=$2 d=$3
  mkdir -p "$d"
  WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 ip netns exec "$ns" wireguard-go -f "$dev" >"$d/$dev.log" 2>&1 </dev/null &
  PIDS+=($!)
  for _ in $(seq 50); do [[ -S /var/run/wireguard/$dev.sock ]] && return 0; sleep 0.1; done
  note "wireguard-go $dev in $ns did not come up: $(tail -2 "$d/$dev.log")"; return 1
}

wg_pair() {  # i dir
  local i=$1 d=$2 l=${PREFIX}$1l r=${PREFIX}$1r dl=${PREFIX}w$1l dr=${PREFIX}w$1r
  (umask 077; wg genkey >"$d/l.key"; wg genkey >"$d/r.key")
  wg pubkey <"$d/l.key" >"$d/l.pub"
  wg pubkey <"$d/r.key" >"$d/r.pub"
  wg_start "$l" "$dl" "$d" && wg_start "$r" "$dr" "$d" || return 1
  ip netns exec "$l" wg set "$dl" private-key "$d/l.key" listen-port 51820 \
    peer "$(cat "$d/r.pub")" allowed-ips 10.2.0.0/24 endpoint 198.18.0.2:51820 || return 1
  ip netns exec "$r" wg set "$dr" private-key "$d/r.key" listen-port 51820 \
    peer "$(cat "$d/l.pub")" allowed-ips 10.1.0.0/24 endpoint 198.18.0.1:51820 || return 1
  ip -n "$l" link set "$dl" up; ip -n "$r" link set "$dr" up
  ip -n "$l" route add 10.2.0.0/24 dev "$dl" src 10.1.0.1
  ip -n "$r" route add 10.1.0.0/24 dev "$dr" src 10.2.0.1
}

# Sets up one setup on pair $i; prints nothing; returns non-zero (with a note) when it cannot.
establish() {  # i setup
  local i=$1 setup=$2 kind=${2%%:*} alg=${2#*:} ike esp l r d threads= nice=
  if [[ $alg == *%* ]]; then nice=${alg#*%}; alg=${alg%\%*}; fi
  if [[ $alg == *@* ]]; then threads=${alg#*@}; alg=${alg%@*}; fi
  l=${PREFIX}$1l; r=${PREFIX}$1r; d=$STATE/$i
  mkdir -p "$d"
  mkpair "$i"
  [[ $kind == plain ]] && return 0
  if [[ $kind == wg-wg ]]; then
    wg_pair "$i" "$d" || { note "$setup: could not set up wireguard-go"; return 1; }
    ip netns exec "$l" ping -c2 -W2 -I 10.1.0.1 10.2.0.1 >/dev/null || { note "$setup: tunnel passes no traffic"; return 1; }
    return 0
  fi
  read -r ike esp <<<"$(proposals "$alg")"
  local encap=yes
  [[ $kind == petrel-petrel-raw ]] && encap=no
  swanctl_conf l "$ike" "$esp" "$encap" > "$d/l.conf"
  swanctl_conf r "$ike" "$esp" "$encap" > "$d/r.conf"
  if [[ -n $nice ]]; then
    # One petrel { } section for both settings (petrel_start would add its own for the threads).
    printf 'petrel {\n  packet_nice = %s\n%s}\n' "$nice" "${threads:+  packet_threads = $threads
}" >>"$d/l.conf"
    [[ $kind == petrel-sw ]] || printf 'petrel {\n  packet_nice = %s\n%s}\n' "$nice" "${threads:+  packet_threads = $threads
}" >>"$d/r.conf"
    threads=
  fi
  case $kind in
    sw-sw)
      sw_start "$l" "$d/l" "$d/l.conf" && sw_start "$r" "$d/r" "$d/r.conf" &&
      swanctl --initiate --child net --timeout 20 --uri "unix://$d/l/charon.vici" >/dev/null ;;
    petrel-sw)
      sw_start "$r" "$d/r" "$d/r.conf" && petrel_start "$l" "$d/l" "$d/l.conf" "$threads" &&
      "$PETREL" up bench --child net --timeout 20 --socket "$d/l/petrel.sock" >/dev/null ;;
    petrel-petrel|petrel-petrel-raw)
      petrel_start "$r" "$d/r" "$d/r.conf" "$threads" && petrel_start "$l" "$d/l" "$d/l.conf" "$threads" &&
      "$PETREL" up bench --child net --timeout 20 --socket "$d/l/petrel.sock" >/dev/null ;;
    base-base)
      PETREL=$PETREL_BASE petrel_start "$r" "$d/r" "$d/r.conf" "$threads" && PETREL=$PETREL_BASE petrel_start "$l" "$d/l" "$d/l.conf" "$threads" &&
      "$PETREL_BASE" up bench --child net --timeout 20 --socket "$d/l/petrel.sock" >/dev/null ;;
    *) die "unknown setup $setup" ;;
  esac || { note "$setup: could not establish the tunnel"; return 1; }
  ip netns exec "$l" ping -c2 -W2 -I 10.1.0.1 10.2.0.1 >/dev/null || { note "$setup: tunnel passes no traffic"; return 1; }
}

# One iperf3 run on pair $i: prints the receiver's Mbit/s.
measure() {  # i setup
  local i=$1 kind=${2%%:*} l=${PREFIX}$1l r=${PREFIX}$1r src dst spid out
  if [[ $kind == plain ]]; then src=198.18.0.1 dst=198.18.0.2; else src=10.1.0.1 dst=10.2.0.1; fi
  ip netns exec "$r" iperf3 -s -1 -B "$dst" >/dev/null 2>&1 &
  spid=$!; PIDS+=($spid)
  for _ in $(seq 50); do ip netns exec "$r" ss -Hltn "sport = :5201" | grep -q . && break; sleep 0.1; done
  out=$(ip netns exec "$l" iperf3 -c "$dst" -B "$src" -t "$SECS" -P "$P" -f m 2>&1 | awk -v p="$P" '/receiver/ && (p == 1 || /SUM/) {for (k = 1; k <= NF; k++) if ($k == "Mbits/sec") print $(k-1)}') || true
  wait "$spid" 2>/dev/null || true
  echo "${out:-0}"
}


# One iperf3 UDP run on pair $i: "received-packets lost-packets" summed over the streams of the
# size (100, 1300: one stream of that payload; imix: three streams at once, 7:4:1 packets of 20, 548
# and 1300 payload bytes, the offered rate shared by bytes). Rate: iperf3 -b (0 = unlimited).
measure_udp() {  # i setup size rate
  local i=$1 kind=${2%%:*} size=$3 rate=$4 l=${PREFIX}$1l r=${PREFIX}$1r src dst k bits
  local -a lens shares spids=() cpids=()
  if [[ $kind == plain ]]; then src=198.18.0.1 dst=198.18.0.2; else src=10.1.0.1 dst=10.2.0.1; fi
  if [[ $size == imix ]]; then lens=(20 548 1300); shares=(140 2192 1300)
  else lens=("$size"); shares=(1); fi
  local total_share=0; for k in "${shares[@]}"; do total_share=$((total_share + k)); done
  bits=$(numfmt --from=si "${rate}" 2>/dev/null || echo 0)
  for k in "${!lens[@]}"; do
    ip netns exec "$r" iperf3 -s -1 -B "$dst" -p $((5201 + k)) >/dev/null 2>&1 &
    spids+=($!); PIDS+=($!)
  done
  for k in "${!lens[@]}"; do
    for _ in $(seq 50); do ip netns exec "$r" ss -Hlun "sport = :$((5201 + k))" | grep -q . && break; sleep 0.1; done
  done
  for k in "${!lens[@]}"; do
    ip netns exec "$l" iperf3 -u -c "$dst" -B "$src" -p $((5201 + k)) -t "$SECS" -l "${lens[$k]}" ${UDP_WINDOW:+-w "$UDP_WINDOW"} \
      -b $((bits * shares[k] / total_share)) --json >"$STATE/udp.$k.json" 2>&1 &
    cpids+=($!)
  done
  wait "${cpids[@]}" 2>/dev/null || true
  wait "${spids[@]}" 2>/dev/null || true
  cat "$STATE"/udp.*.json | jq -s '[.[] | .end.sum // {}] | "\(map(.packets // 0) | add) \(map(.lost_packets // 0) | add)"' -r 2>/dev/null \
    | awk '{print $1 - $2, $2}' || echo "0 0"
  rm -f "$STATE"/udp.*.json
}

if [[ ${MODE:-tcp} == perf ]]; then
  # Where the CPU goes: for each setup, perf record of the pair's two daemons (999 Hz) during one SECS
  # UDP run of PERF_SIZE-byte payloads at PERF_RATE (0 = unlimited); prints the hottest
  # command/object/symbol rows. The daemons write JIT symbol maps (DOTNET_PerfMapEnabled=1).
  # W^X off: with it the JIT code lives in a memfd double mapping that perf cannot match to perf-PID.map.
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
  ensure_pkgs linux-perf
  read -ra setups <<<"$SETUPS"
  i=0
  for s in "${setups[@]}"; do
    i=$((i+1))
    establish "$i" "$s" || continue
    # The two daemons of the pair were the last processes started (ip netns exec execs them).
    daemons="${PIDS[-2]},${PIDS[-1]}"
    # Warm up first (tiered JIT compiles the hot loops in the first seconds of traffic).
    SECS=3 measure_udp "$i" "$s" "${PERF_SIZE:-1300}" "${PERF_RATE:-0}" >/dev/null
    perf record -F 999 -p "$daemons" -o "$STATE/perf.$i.data" -- sleep "$SECS" >/dev/null 2>&1 &
    ppid=$!
    read -r got lost <<<"$(measure_udp "$i" "$s" "${PERF_SIZE:-1300}" "${PERF_RATE:-0}")"
    wait "$ppid" || true
    echo
    echo "== $s: UDP ${PERF_SIZE:-1300} B at ${PERF_RATE:-0}: $((got / SECS)) pkt/s delivered, $lost lost; perf record -p (both daemons), $(date -u '+%H:%M UTC')"
    perf report -i "$STATE/perf.$i.data" --no-children --sort comm,dso --percent-limit 1 --stdio 2>/dev/null | grep -E -v '^#( [^S]|$)|^$|Sort order' | head -25 || true
    perf report -i "$STATE/perf.$i.data" --no-children --sort comm,sym --percent-limit 0.8 --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 || true
  done
  exit 0
fi

if [[ ${MODE:-tcp} == drops ]]; then
  # Where packets are lost: for each Petrel setup, one SECS UDP run per rate in RATES (payload
  # DROP_SIZE, default 1300), and for each the change in both daemons' `petrel stats` (sealed,
  # opened, drops by reason) and in the kernel's counters of both namespaces: UDP receive-buffer
  # overflows (the receiver's ESP socket and the iperf3 server's socket both count there) and the
  # TUN devices' tx_dropped (the queue the daemon reads was full).
  read -ra setups <<<"$SETUPS"
  size=${DROP_SIZE:-1300}
  snap() {  # i -> one line of counters
    local i=$1 l=${PREFIX}$1l r=${PREFIX}$1r side ns
    for side in l r; do
      ns=${PREFIX}$i$side
      "$PETREL" stats --json --socket "$STATE/$i/$side/petrel.sock" 2>/dev/null \
        | jq -r '(.result // .) | "\(.encapsulated // 0) \(.decapsulated // 0) \(.drops.TunQueueFull // 0) \(.drops.ReceiveQueueFull // 0) \(.drops.SendFailed // 0) \([.drops[]?] | add // 0)"' 2>/dev/null || echo "0 0 0 0 0 0"
      ip netns exec "$ns" nstat -az UdpRcvbufErrors 2>/dev/null | awk '$1 == "UdpRcvbufErrors" {v = $2} END {print v + 0}'
    done | tr '\n' ' '
  }
  i=0
  for s in "${setups[@]}"; do
    i=$((i+1))
    [[ $s == petrel* || $s == base* ]] || continue
    establish "$i" "$s" || continue
    SECS=2 measure_udp "$i" "$s" "$size" 0 >/dev/null   # warm-up (tiered JIT)
    echo
    echo "== $s, UDP $size B, ${SECS}s per rate, $(date -u '+%H:%M UTC'); per second: delivered, and drops by place"
    printf '%-10s %9s %9s | %-44s | %-44s\n' rate "pkt/s" "lost/s" "left: sealed tunQ sockQ sendFail allDrops udpRcvbuf" "right: opened tunQ sockQ sendFail allDrops udpRcvbuf"
    for rate in $RATES; do
      read -ra a <<<"$(snap "$i")"
      ld=$(cut -d' ' -f1 /proc/loadavg)
      read -r got lost <<<"$(measure_udp "$i" "$s" "$size" "$rate")"
      sleep 1.2   # the TUN queue counter is read at most once a second
      read -ra b <<<"$(snap "$i")"
      d() { echo $(( (b[$1] - a[$1]) / SECS )); }
      printf '%-10s %9s %9s | %6s %6s %6s %6s %6s %6s            | %6s %6s %6s %6s %6s %6s  load %s\n' "$rate" $((got / SECS)) $((lost / SECS)) \
        "$(d 0)" "$(d 2)" "$(d 3)" "$(d 4)" "$(d 5)" "$(d 6)" "$(d 8)" "$(d 9)" "$(d 10)" "$(d 11)" "$(d 12)" "$(d 13)" "$ld"
    done
  done
  exit 0
fi

# The issue 17 targets from the UDP grid just measured, as ratios within the same run, one block per
# Petrel setup: prints "n/a" where a cell it needs was not measured (a size, rate or setup left out).
udp_summary() {
  local s p q plain sw wg
  ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }
  verdict() { awk -v r="$1" -v t="$2" 'BEGIN {if (r == "n/a") print ""; else print (r + 0 >= t ? "met" : "NOT met")}'; }
  line() { printf '  %-58s %8s  %-8s %s\n' "$1" "$2" "$(verdict "$2" "$3")" "$4"; }
  plain=plain
  sw=$(for s in "${setups[@]}"; do [[ $s == sw-sw* && -n ${ok[$s]} ]] && { echo "$s"; break; }; done; true)
  wg=$(for s in "${setups[@]}"; do [[ $s == wg-wg* && -n ${ok[$s]} ]] && { echo "$s"; break; }; done; true)
  echo
  echo "Summary: issue 17 targets, each a ratio of cells of this run (pkt/s delivered)"
  for p in "${setups[@]}"; do
    [[ $p == petrel* || $p == base* ]] || continue
    [[ -n ${ok[$p]} ]] || { echo "$p: not established"; continue; }
    echo "$p"
    q=${pps[$p/1300/1G]:-}
    line "1300 B offered 1G, vs plain (>= 0.90)" "$(ratio "$q" "${pps[$plain/1300/1G]:-}")" 0.90 "${q:-?} vs ${pps[$plain/1300/1G]:-?}"
    q=${pps[$p/100/0]:-}
    line "100 B unlimited, vs plain (>= 0.60)" "$(ratio "$q" "${pps[$plain/100/0]:-}")" 0.60 "${q:-?} vs ${pps[$plain/100/0]:-?}"
    for size in $SIZES; do
      q=${pps[$p/$size/0]:-}
      line "$size B unlimited, vs its own 1G (>= 0.90, no collapse)" "$(ratio "$q" "${pps[$p/$size/1G]:-}")" 0.90 "${q:-?} vs ${pps[$p/$size/1G]:-?}"
    done
    q=${pps[$p/1300/0]:-}
    if [[ -n $sw ]]; then line "1300 B unlimited (bulk), vs $sw (>= 10)" "$(ratio "$q" "${pps[$sw/1300/0]:-}")" 10 "${q:-?} vs ${pps[$sw/1300/0]:-?}"
    else line "1300 B unlimited (bulk), vs strongSwan (>= 10)" "n/a" 10 "strongSwan not measured"; fi
    if [[ -n $wg ]]; then line "1300 B unlimited (bulk), vs $wg (>= 2)" "$(ratio "$q" "${pps[$wg/1300/0]:-}")" 2 "${q:-?} vs ${pps[$wg/1300/0]:-?}"
    else line "1300 B unlimited (bulk), vs wireguard-go (>= 2)" "n/a" 2 "wireguard-go not measured"; fi
  done
  echo "load average (1 min) during the grid: $(printf '%s\n' "${load[@]}" | sort -g | awk '{a[NR]=$1} END {if (NR) printf "%s to %s", a[1], a[NR]}'), $(nproc) CPUs"
}

if [[ ${MODE:-tcp} == udp || ${MODE:-tcp} == all ]]; then
  # UDP packet rates: every setup × payload size × offered rate, one SECS run each, interleaved
  # (for each size and rate all setups run back to back). Prints delivered packets/s and loss.
  SIZES=${SIZES:-100 1300 imix}
  RATES=${RATES:-100M 300M 500M 1G 2G 0}
  read -ra setups <<<"$SETUPS"
  declare -A ok pps loss load
  i=0
  for s in "${setups[@]}"; do
    i=$((i+1))
    if establish "$i" "$s"; then ok[$s]=$i; note "$s: ready"; else ok[$s]=""; fi
  done
  # UDP_ROUNDS=N: every cell N times (the setups of a cell interleaved round by round); the table
  # shows the median of each cell's rounds, the notes every round.
  UDP_ROUNDS=${UDP_ROUNDS:-1}
  declare -A runs_pps runs_loss runs_load
  for size in $SIZES; do
    for rate in $RATES; do
      for round in $(seq "$UDP_ROUNDS"); do
        for s in "${setups[@]}"; do
          [[ -n ${ok[$s]} ]] || continue
          c=$s/$size/$rate
          ld=$(cut -d' ' -f1 /proc/loadavg)
          read -r got lost <<<"$(measure_udp "${ok[$s]}" "$s" "$size" "$rate")"
          p1=$(awk -v g="${got:-0}" -v t="$SECS" 'BEGIN {printf "%.0f", g / t}')
          l1=$(awk -v g="${got:-0}" -v l="${lost:-0}" 'BEGIN {printf "%.1f", (g + l > 0 ? 100 * l / (g + l) : 0)}')
          runs_pps[$c]="${runs_pps[$c]:-} $p1"; runs_loss[$c]="${runs_loss[$c]:-} $l1"; runs_load[$c]="${runs_load[$c]:-} $ld"
          note "udp $size @ $rate $s round $round: $p1 pkt/s, $l1 % lost (load $ld)"
        done
      done
      for s in "${setups[@]}"; do
        [[ -n ${ok[$s]} ]] || continue
        c=$s/$size/$rate
        pps[$c]=$(median ${runs_pps[$c]}); loss[$c]=$(median ${runs_loss[$c]}); load[$c]=$(median ${runs_load[$c]})
        ((UDP_ROUNDS > 1)) && note "udp $size @ $rate $s: median ${pps[$c]} pkt/s of$(printf ' %s' ${runs_pps[$c]})"
      done
    done
  done
  echo
  echo "iperf3 UDP, ${SECS}s per cell, median of $UDP_ROUNDS round(s), delivered packets/s (loss %), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
  for size in $SIZES; do
    printf '\n%-22s' "payload $size"
    for rate in $RATES; do printf ' %16s' "$([[ $rate == 0 ]] && echo unlimited || echo "$rate")"; done
    echo
    for s in "${setups[@]}"; do
      printf '%-22s' "$s"
      for rate in $RATES; do
        if [[ -z ${ok[$s]} ]]; then printf ' %16s' n/a; continue; fi
        printf ' %16s' "${pps[$s/$size/$rate]} (${loss[$s/$size/$rate]}%)"
      done
      echo
    done
    printf '%-22s' "load (1 min, mean)"
    for rate in $RATES; do
      printf ' %16s' "$(for s in "${setups[@]}"; do [[ -n ${ok[$s]} ]] && echo "${load[$s/$size/$rate]}"; done | awk '{t += $1; n++} END {printf "%.1f", (n ? t / n : 0)}')"
    done
    echo
  done
  udp_summary
  [[ $MODE == all ]] || exit 0
  echo
fi

# ---- run --------------------------------------------------------------------------------------
read -ra setups <<<"$SETUPS"
declare -A ok results
if [[ ${MODE:-tcp} != all ]]; then
  # (MODE=all: the tunnels of the UDP grid are measured again, as they are.)
  i=0
  for s in "${setups[@]}"; do
    i=$((i+1))
    if establish "$i" "$s"; then ok[$s]=$i; note "$s: ready"; else ok[$s]=""; fi
  done
fi
tcp_load=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
  for s in "${setups[@]}"; do
    [[ -n ${ok[$s]} ]] || continue
    v=$(measure "${ok[$s]}" "$s")
    results[$s]="${results[$s]:-} $v"
    note "round $round $s: $v Mbit/s"
  done
done

echo
echo "iperf3 TCP, ${P} stream(s), ${SECS}s x ${ROUNDS} interleaved rounds, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $tcp_load at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
printf '%-20s %-8s %-26s %10s %8s %10s %8s\n' setup cipher "rounds (Mbit/s)" median vs-veth vs-strongSwan vs-wg
plain_med=""
[[ -n ${results[plain]:-} ]] && plain_med=$(median ${results[plain]})
wg_med=""
[[ -n ${results[wg-wg:chacha]:-} ]] && wg_med=$(median ${results[wg-wg:chacha]})
for s in "${setups[@]}"; do
  kind=${s%%:*}; alg=${s#*:}; [[ $kind == plain ]] && alg=-
  base=${alg%@*}; base=${base%\%*}
  if [[ -z ${ok[$s]} ]]; then printf '%-20s %-8s %-26s %10s\n' "$kind" "$alg" "(not established)" "n/a"; continue; fi
  med=$(median ${results[$s]})
  vs_plain=-; vs_sw=-
  [[ -n $plain_med && $kind != plain ]] && vs_plain=$(awk -v a="$med" -v b="$plain_med" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  if [[ $kind != plain && $kind != sw-sw && -n ${results[sw-sw:$base]:-} ]]; then
    vs_sw=$(awk -v a="$med" -v b="$(median ${results[sw-sw:$base]})" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  fi
  vs_wg=-
  [[ -n $wg_med && $kind == petrel* ]] && vs_wg=$(awk -v a="$med" -v b="$wg_med" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  printf '%-20s %-8s %-26s %10s %8s %10s %8s\n' "$kind" "$alg" "$(echo ${results[$s]})" "$med" "$vs_plain" "$vs_sw" "$vs_wg"
done
# Issue 4's targets, from the medians of this run.
for alg in gcm cbc; do
  [[ -n ${results[petrel-petrel:$alg]:-} ]] || continue
  pp=$(median ${results[petrel-petrel:$alg]})
  line="Petrel⇄Petrel $alg: $pp Mbit/s$(awk -v a="$pp" 'BEGIN {printf " (target >= 4000: %s)", (a >= 4000 ? "met" : "NOT met")}')"
  [[ -n ${results[sw-sw:$alg]:-} ]] && line+=$(awk -v a="$pp" -v b="$(median ${results[sw-sw:$alg]})" 'BEGIN {printf ", %.2f× strongSwan⇄strongSwan (target ≥ 5)", (b > 0 ? a / b : 0)}')
  [[ -n $wg_med ]] && line+=$(awk -v a="$pp" -v b="$wg_med" 'BEGIN {printf ", %.2f× wireguard-go⇄wireguard-go (target ≥ 2)", (b > 0 ? a / b : 0)}')
  echo "$line"
done
