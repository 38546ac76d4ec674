#!/usr/bin/env bash
# 10 % packet loss each way (issue 12): nftables in each namespace drops LOSS % of the packets leaving its veth
# (`numgen random mod 100 < LOSS drop`), so IKE messages, their retransmissions and ESP are all lost at random.
# For each pairing (initiator-responder: sw-sw, petrel-sw, sw-petrel), with fresh daemons:
#   1. UPS times: the initiator brings connection "tun" up (swanctl --initiate / petrel up, both wait for the
#      result) and takes it down again; each setup is timed and counted as up or failed;
#   2. the tunnel comes up once more with CHILD rekey_time REKEY s and IKE rekey_time IKE_REKEY s; pings run
#      10.1.0.1 → 10.2.0.1 through it, 5 per second for HOLD s; the initiator's log is searched for CHILD_SA and
#      IKE_SA rekeys, and its SA listing shows whether the tunnel is still up.
# strongSwan 5.9.8 runs with kernel-libipsec as bench/lib.sh starts it. Prints one table.
#
# Usage (root; take the namespace lock):  flock /work/wt/netns.lock bench/loss.sh
#        LOSS=10 UPS=8 HOLD=40 REKEY=12 IKE_REKEY=25 SETUPS="sw-sw petrel-sw sw-petrel" bench/loss.sh
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOSS=${LOSS:-10}
UPS=${UPS:-8}
HOLD=${HOLD:-40}
REKEY=${REKEY:-12}
IKE_REKEY=${IKE_REKEY:-25}
SETUPS=${SETUPS:-sw-sw petrel-sw sw-petrel}
PREFIX=${PREFIX:-plo}
PETREL=${PETREL:-$root/petrel}
CHARON=/usr/lib/ipsec/charon
STATE=$(mktemp -d /tmp/petrel-loss-bench.XXXXXX)
PSK=petrel-loss-bench-psk-0123456789

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
ensure_pkgs iproute2 iputils-ping nftables strongswan-charon strongswan-swanctl libstrongswan-standard-plugins libstrongswan-extra-plugins
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
"$PETREL" --version >/dev/null || die "cannot run $PETREL"

conf() {  # local-addr remote-addr local-ts remote-ts
  cat <<CONF
connections {
  tun {
    version = 2
    local_addrs = $1
    remote_addrs = $2
    proposals = aes128gcm16-prfsha256-x25519
    rekey_time = ${IKE_REKEY}s
    dpd_delay = 0
    local { auth = psk
      id = $1 }
    remote { auth = psk
      id = $2 }
    children {
      net {
        local_ts = $3
        remote_ts = $4
        esp_proposals = aes128gcm16
        rekey_time = ${REKEY}s
      }
    }
  }
}
secrets { ike-all { secret = "$PSK" } }
CONF
}

lossy() {  # ns
  ip netns exec "$1" nft -f - <<NFT
table inet petrel_loss {
  chain out {
    type filter hook output priority 0; policy accept;
    oifname "eth0" numgen random mod 100 < $LOSS drop
  }
}
NFT
}

up() {  # kind dir
  if [[ $1 == sw ]]; then timeout 100 swanctl --initiate --child net --ike tun --timeout 90 --uri "unix://$2/charon.vici" >>"$2/up.log" 2>&1
  else timeout 100 "$PETREL" up tun --timeout 90 --socket "$2/petrel.sock" >>"$2/up.log" 2>&1; fi
}
down() {  # kind dir
  if [[ $1 == sw ]]; then timeout 60 swanctl --terminate --ike tun --timeout 50 --uri "unix://$2/charon.vici" >>"$2/down.log" 2>&1 || true
  else timeout 60 "$PETREL" down tun --timeout 50 --socket "$2/petrel.sock" >>"$2/down.log" 2>&1 || true; fi
}
start() {  # kind ns dir conf
  if [[ $1 == sw ]]; then sw_start "$2" "$3" "$4"; else petrel_start "$2" "$3" "$4"; fi
}
# CHILD_SA and IKE_SA rekeys in the initiator's log (either side may have started them). charon logs every new
# CHILD_SA, rekeyed or not, as "established with SPIs": the UPS setups and the held tunnel are subtracted.
child_rekeys() {  # kind dir setups
  if [[ $1 == sw ]]; then echo $(( $(grep -c "CHILD_SA net{[0-9]*} established with SPIs" "$2/charon.log" || true) - $3 ))
  else grep -c "CHILD_SA net{[0-9]*} rekeyed" "$2/petrel.log" || true; fi
}
ike_rekeys() {  # kind dir
  if [[ $1 == sw ]]; then grep -c "IKE_SA tun\[[0-9]*\] rekeyed between" "$2/charon.log" || true
  else grep -c "IKE_SA tun\[[0-9]*\] rekeyed as" "$2/petrel.log" || true; fi
}

printf '%-11s %6s %9s %9s %9s %12s %11s %9s\n' setup "up/$UPS" median_s max_s pings "child_rekeys" ike_rekeys still_up
i=0
for setup in $SETUPS; do
  i=$((i + 1))
  ini=${setup%%-*} res=${setup#*-} l=$PREFIX${i}l r=$PREFIX${i}r d=$STATE/$setup
  mkpair "$i"
  lossy "$l"; lossy "$r"
  mkdir -p "$d/l" "$d/r"
  conf 198.18.0.1 198.18.0.2 10.1.0.0/24 10.2.0.0/24 >"$d/l.conf"
  conf 198.18.0.2 198.18.0.1 10.2.0.0/24 10.1.0.0/24 >"$d/r.conf"
  n0=${#PIDS[@]}
  start "$res" "$r" "$d/r" "$d/r.conf" && start "$ini" "$l" "$d/l" "$d/l.conf" || { note "$setup: daemons did not start"; continue; }
  times=() ok=0
  for k in $(seq "$UPS"); do
    t0=$(date +%s.%N)
    if up "$ini" "$d/l"; then ok=$((ok + 1)); times+=("$(echo "$(date +%s.%N) - $t0" | bc)"); fi
    down "$ini" "$d/l"
    sleep 1
  done
  up "$ini" "$d/l" || note "$setup: the held tunnel did not come up"
  received=$(ip netns exec "$l" ping -I 10.1.0.1 -i 0.2 -c $((HOLD * 5)) -W 1 10.2.0.1 2>/dev/null | awk '/received/ {print $4}')
  child=$(child_rekeys "$ini" "$d/l" $((ok + 1)))
  ike=$(ike_rekeys "$ini" "$d/l")
  if [[ $ini == sw ]]; then still=$(swanctl --list-sas --uri "unix://$d/l/charon.vici" 2>/dev/null | grep -c "INSTALLED" || true)
  else still=$("$PETREL" list-sas --socket "$d/l/petrel.sock" 2>/dev/null | grep -c "INSTALLED" || true); fi
  med=$( ((${#times[@]})) && median "${times[@]}" || echo -)
  max=$( ((${#times[@]})) && printf '%s\n' "${times[@]}" | sort -g | tail -1 || echo -)
  printf '%-11s %6s %9.2f %9.2f %9s %12s %11s %9s\n' "$setup" "$ok" "$med" "$max" "${received:-0}/$((HOLD * 5))" "$child" "$ike" "$still"
  stop_pids "${PIDS[@]:n0}"; PIDS=("${PIDS[@]:0:n0}")
done
echo "loss $LOSS % each way (nftables numgen on eth0 output in both namespaces), $UPS setups per pairing, CHILD rekey_time ${REKEY}s, IKE rekey_time ${IKE_REKEY}s, pings 5/s for ${HOLD}s, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
