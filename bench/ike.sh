#!/usr/bin/env bash
# IKE setups per second, Petrel and strongSwan side by side: N IKE SAs, each with one CHILD_SA, initiated
# at once from the left namespace to a responder on the right, for every initiator-responder pairing
# (sw-sw, petrel-sw, sw-petrel, petrel-petrel). Each round starts both daemons fresh, loads the N
# connections into the initiator with start_action = start (swanctl --load-conns / a reload over
# Petrel's control socket) and times until the initiator has logged N CHILD_SAs "established with SPIs".
# Rounds are interleaved across setups; the table shows every round, the median and the ratio to
# strongSwan⇄strongSwan. PSK authentication, one responder connection with remote id %any and
# unique = never, as a remote-access gateway; the two daemons share the machine's CPUs.
#
# Usage (root):  bench/ike.sh                      N=100 ROUNDS=3, IKE aes128gcm16-prfsha256-ecp256
#                N=200 IKE=aes128gcm16-prfsha256-x25519 bench/ike.sh
#                SETUPS="sw-sw petrel-petrel" bench/ike.sh
# Responder-side load with strongSwan's load-tester plugin as the initiator (thousands of IKE SAs, responder
# CPU and memory per SA, initiator retransmits) is bench/ike-load.sh; a spoofed IKE_SA_INIT flood is
# bench/flood.sh (results of both: bench/IKE-RESULTS.md).
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-100}
ROUNDS=${ROUNDS:-3}
IKE=${IKE:-aes128gcm16-prfsha256-ecp256}
ESP=${ESP:-aes128gcm16}
TIMEOUT=${TIMEOUT:-120}
PREFIX=${PREFIX:-pik}
PETREL=${PETREL:-$root/petrel}
CHARON=/usr/lib/ipsec/charon
SETUPS=${SETUPS:-sw-sw petrel-sw sw-petrel petrel-petrel}
STATE=$(mktemp -d /tmp/petrel-ike-bench.XXXXXX)
PSK=petrel-ike-bench-psk-0123456789
# Every IKE SA comes from one initiator address, so DoS protection would throttle the benchmark: charon drops
# IKE_SA_INIT beyond block_threshold (5) half-open SAs per peer address and both ask for COOKIEs above their
# cookie_threshold (charon 10, Petrel 30). Both responders get the limits lifted alike.
LIMIT=$((N * 2 + 10))
export SW_CHARON_EXTRA="  block_threshold = $LIMIT
  cookie_threshold = $LIMIT"

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
((N >= 1 && N <= 60000)) || die "N must be 1..60000"
ensure_pkgs iproute2 iputils-ping python3 strongswan-charon strongswan-swanctl \
  libstrongswan-standard-plugins libstrongswan-extra-plugins libcharon-extra-plugins
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
"$PETREL" --version >/dev/null || die "cannot run $PETREL"

secrets() {
  cat <<CONF
secrets {
  ike-all {
    secret = "$PSK"
  }
}
CONF
}

# The initiator: N connections, each its own IKE SA with identity cI.bench and one CHILD_SA for its own
# /32 in 10.1.0.0/16. The daemon starts with them named wI and start_action = none (so both daemons have
# parsed such a file once) plus one connection "warm" that comes up first (so both have run every exchange
# once before timing); then the file with cI and start_action = start is loaded.
initiator_conf() {  # name-prefix start-action
  local prefix=$1 start=$2 k
  echo "connections {"
  for k in $(seq 0 "$N"); do
    # c0 / warm: one IKE SA set up before the clock starts, in both files, so JIT warm-up is not timed.
    local name=$prefix$k action=$start
    ((k == 0)) && name=warm action=start
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
      id = c$k.bench
    }
    remote {
      auth = psk
      id = gw.bench
    }
    children {
      net {
        local_ts = 10.1.$((k / 250)).$((k % 250 + 1))/32
        remote_ts = 10.2.0.0/24
        esp_proposals = $ESP
        start_action = $action
      }
    }
  }
CONF
  done
  echo "}"
  secrets
}

responder_conf() {
  cat <<CONF
connections {
  gw {
    version = 2
    local_addrs = 198.18.0.2
    remote_addrs = 198.18.0.1
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
petrel {
  cookie_threshold = $LIMIT
  block_threshold = $LIMIT
}
CONF
  secrets
}

start_daemon() {  # kind(sw|petrel) ns dir conffile
  if [[ $1 == sw ]]; then sw_start "$2" "$3" "$4"; else petrel_start "$2" "$3" "$4"; fi
}

# Replaces the initiator's connections with the N to start; charon and Petrel both initiate the
# start_action = start children of newly loaded connections.
# Puts the file with the N connections in place and readies what loads it, so that only the load itself
# is timed: for Petrel a client already connected to the control socket (python3 takes ~0.35 s to start
# here, swanctl a few ms), waiting on a FIFO to send the reload request (what `petrel reload` sends).
arm() {  # kind dir
  local kind=$1 d=$2
  if [[ $kind == sw ]]; then
    cp "$d/full.conf" "$d/swanctl/swanctl.conf"
    return
  fi
  cp "$d/full.conf" "$d/swanctl.conf"
  rm -f "$d/go" "$d/armed"
  mkfifo "$d/go"
  python3 - "$d/petrel.sock" "$d/go" "$d/armed" >"$d/trigger.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
open(sys.argv[3], "w").close()
open(sys.argv[2]).read()
s.sendall(b'{"command":"reload"}\n')
print(s.makefile().readline().strip())
PY
  for _ in $(seq 100); do [[ -e $d/armed ]] && return 0; sleep 0.05; done
  return 1
}

trigger() {  # kind dir
  local kind=$1 d=$2
  if [[ $kind == sw ]]; then
    swanctl --load-conns --file "$d/swanctl/swanctl.conf" --uri "unix://$d/charon.vici" >"$d/trigger.log" 2>&1
  else
    echo go >"$d/go"
  fi
}

established() {  # kind dir
  local log
  if [[ $1 == sw ]]; then log=$2/charon.log; else log=$2/petrel.log; fi
  grep -c "established with SPIs" "$log" 2>/dev/null || true
}

# One round of a setup on pair i: prints setups per second (0 when not all N came up within TIMEOUT).
measure() {  # i setup round
  local i=$1 setup=$2 round=$3 ini=${2%%-*} res=${2#*-} l=${PREFIX}$1l r=${PREFIX}$1r d t0 t1 count=0 pids_before
  d=$STATE/$i/round$round
  mkdir -p "$d/l" "$d/r"
  responder_conf >"$d/r.conf"
  initiator_conf w none >"$d/l.conf"
  initiator_conf c start >"$d/l/full.conf"
  pids_before=${#PIDS[@]}
  if ! start_daemon "$res" "$r" "$d/r" "$d/r.conf" || ! start_daemon "$ini" "$l" "$d/l" "$d/l.conf"; then
    note "$setup round $round: daemons did not start"; stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}"); echo 0; return
  fi
  for _ in $(seq 300); do (($(established "$ini" "$d/l") >= 1)) && break; sleep 0.1; done
  if (($(established "$ini" "$d/l") < 1)); then
    note "$setup round $round: the warm-up IKE SA did not come up"; stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}"); echo 0; return
  fi
  arm "$ini" "$d/l" || note "$setup round $round: the reload client did not connect: $(tail -2 "$d/l/trigger.log")"
  t0=$(date +%s.%N)
  trigger "$ini" "$d/l" || note "$setup round $round: loading the connections failed: $(tail -2 "$d/l/trigger.log")"
  while :; do
    count=$(($(established "$ini" "$d/l") - 1))
    ((count >= N)) && break
    t1=$(date +%s.%N)
    awk -v a="$t1" -v b="$t0" -v m="$TIMEOUT" 'BEGIN {exit !(a - b > m)}' && break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  stop_pids "${PIDS[@]:pids_before}"
  PIDS=("${PIDS[@]:0:pids_before}")
  if ((count < N)); then
    note "$setup round $round: only $count of $N CHILD_SAs within ${TIMEOUT}s"
    echo 0
    return
  fi
  awk -v n="$N" -v a="$t1" -v b="$t0" 'BEGIN {printf "%.1f", n / (a - b)}'
}

read -ra setups <<<"$SETUPS"
declare -A results
i=0
declare -A pair
for s in "${setups[@]}"; do
  [[ $s =~ ^(sw|petrel)-(sw|petrel)$ ]] || die "unknown setup $s (initiator-responder of sw and petrel)"
  i=$((i+1)); pair[$s]=$i
  mkpair "$i"
  # Each connection's /32 is an address of the left LAN (kernel-libipsec routes with it as source).
  for k in $(seq "$N"); do echo "addr add 10.1.$((k / 250)).$((k % 250 + 1))/32 dev lan0"; done | ip -n "${PREFIX}${i}l" -batch -
done
for round in $(seq "$ROUNDS"); do
  for s in "${setups[@]}"; do
    v=$(measure "${pair[$s]}" "$s" "$round")
    results[$s]="${results[$s]:-} $v"
    note "round $round $s: $v IKE SAs/s"
  done
done

echo
echo "IKE setups per second: $N IKE SAs + CHILD_SAs at once, IKE $IKE, ESP $ESP, PSK, $ROUNDS interleaved rounds, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-16s %-30s %10s %14s\n' "initiator-resp." "rounds (SAs/s)" median vs-strongSwan
sw_med=""
[[ -n ${results[sw-sw]:-} ]] && sw_med=$(median ${results[sw-sw]})
for s in "${setups[@]}"; do
  med=$(median ${results[$s]})
  ratio=-
  [[ -n $sw_med && $s != sw-sw ]] && ratio=$(awk -v a="$med" -v b="$sw_med" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  printf '%-16s %-30s %10s %14s\n' "$s" "$(echo ${results[$s]})" "$med" "$ratio"
done
