#!/usr/bin/env bash
# IKE responder load: strongSwan 5.9.8's load-tester plugin (built by bench/ikelib.sh from Debian's source of
# the installed strongSwan) is the INITIATOR in namespace PREFIX1l; the RESPONDER in PREFIX1r is charon 5.9.8
# (kernel-libipsec, as bench/lib.sh starts it) or Petrel (`petrel daemon`). For each N the responders take
# turns round by round (interleaved), each round with fresh daemons:
#   1. the responder starts; one warm-up IKE SA from a 1×1 load-tester charon (so Petrel's JIT and both
#      daemons' first-use paths are not timed), which is then stopped;
#   2. responder utime+stime (/proc/PID/stat) and VmRSS (/proc/PID/status) are read;
#   3. a load-tester charon starts with `initiators` = THREADS threads × N/THREADS iterations; by default
#      no delay and no init_limit, so every IKE SA is initiated at once (INIT_LIMIT=k paces it: a thread
#      waits while more than k IKE SAs are half-open, checking every DELAY ms, default 1); fake kernel
#      (CHILD_SAs are not installed on the initiator), SAs kept (delete_after_established = no), no
#      shutdown_when_complete (it fires on the Nth IKE SA, possibly before the Nth CHILD_SA is logged): the
#      script counts "CHILD_SA … established" lines in the initiator's log itself and stops the initiator
#      when all N are there (or after TIMEOUT s);
#   4. responder CPU and RSS are read again; per SA = delta / CHILD_SAs that came up. Rate = CHILD_SAs up /
#      (time of the last "CHILD_SA … established" − time of the first "initiating IKE_SA"), both from the
#      initiator's log (ms timestamps); when not all N came up the table shows how many did. Retransmits =
#      "retransmit N of request" lines in the initiator's log (not its "giving up after 5 retransmits").
# One IKE SA + one CHILD_SA per initiation, PSK, IDi c<n>-r1.strongswan.org (the load-tester's own), IDr
# srv.strongswan.org, responder remote id *.strongswan.org and unique = never; every IKE SA comes from one
# address, so the responders' DoS limits are lifted alike: charon's cookie_threshold, cookie_threshold_ip and
# block_threshold, Petrel's cookie_threshold and block_threshold. Petrel logs at its default
# (info), charon as bench/lib.sh configures it (filelog default = 1).
#
# Usage (root; takes the namespace lock itself):
#   bench/ike-load.sh                               N="1000 10000" ROUNDS="3 1" THREADS=20 SETUPS="sw petrel"
#   N=1000 ROUNDS=3 SETUPS=petrel bench/ike-load.sh
#   N=10000 ROUNDS=1 INIT_LIMIT=200 bench/ike-load.sh     at most 200 half-open IKE SAs at the initiator
# N and ROUNDS are lists: the k-th ROUNDS applies to the k-th N (the last one to the rest).
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETNS_LOCK=${NETNS_LOCK:-}  # set to a lock file to serialise runs that share namespace names
if [[ -n $NETNS_LOCK && -z ${IKE_LOAD_LOCKED:-} ]]; then
  export IKE_LOAD_LOCKED=1
  exec flock "$NETNS_LOCK" "$0" "$@"
fi

N=${N:-1000 10000}
ROUNDS=${ROUNDS:-3 1}
THREADS=${THREADS:-20}
INIT_LIMIT=${INIT_LIMIT:-0}
DELAY=${DELAY:-}
# The load-tester's init_limit wait loop sleeps DELAY ms per check (and between initiations): with 0 it spins.
((INIT_LIMIT > 0)) && DELAY=${DELAY:-1}
DELAY=${DELAY:-0}
SETUPS=${SETUPS:-sw petrel}
IKE=${IKE:-aes128gcm16-prfsha256-ecp256}
ESP=${ESP:-aes128gcm16}
TIMEOUT=${TIMEOUT:-300}
PREFIX=${PREFIX:-pkl}
PETREL=${PETREL:-$root/petrel}
CHARON=/usr/lib/ipsec/charon
STATE=$(mktemp -d /tmp/petrel-ike-load.XXXXXX)
PSK=petrel-ike-load-psk-0123456789

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
# shellcheck source=bench/ikelib.sh
source "$root/bench/ikelib.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
read -ra ns_list <<<"$N"
read -ra rounds_list <<<"$ROUNDS"
read -ra setups <<<"$SETUPS"
for n in "${ns_list[@]}"; do
  ((n >= THREADS && n % THREADS == 0 && n <= 100000)) || die "each N must be a multiple of THREADS ($THREADS), at most 100000"
done
for s in "${setups[@]}"; do [[ $s == sw || $s == petrel ]] || die "unknown responder $s (sw or petrel)"; done
ensure_pkgs iproute2 iputils-ping util-linux procps strongswan-charon strongswan-swanctl \
  libstrongswan-standard-plugins libstrongswan-extra-plugins libcharon-extra-plugins
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
"$PETREL" --version >/dev/null || die "cannot run $PETREL"
build_load_tester >/dev/null

responder_conf() {  # limit
  cat <<CONF
connections {
  load {
    version = 2
    local_addrs = 198.18.0.2
    remote_addrs = 198.18.0.1
    encap = yes
    proposals = $IKE
    dpd_delay = 0
    unique = never
    local {
      auth = psk
      id = srv.strongswan.org
    }
    remote {
      auth = psk
      id = *.strongswan.org
    }
    children {
      net {
        local_ts = 10.2.0.0/24
        remote_ts = 10.1.0.0/24
        esp_proposals = $ESP
      }
    }
  }
}
secrets {
  ike-load {
    id = srv.strongswan.org
    secret = "$PSK"
  }
}
petrel {
  cookie_threshold = $1
  block_threshold = $1
}
CONF
}

# strongswan.conf of a load-tester initiator: threads × iterations IKE SAs at once.
initiator_conf() {  # dir threads iterations
  local d=$1
  cat <<SSC
charon {
  load_modular = no
  load = $(charon_plugins load-tester | sed 's/ kernel-libipsec//')
  threads = $(($2 + 16))
  # 5.9.8 keeps IKE SAs in one hash row by default; the initiator holds up to 100000.
  ikesa_table_size = 4096
  ikesa_table_segments = 16
  plugins {
    load-tester {
      enable = yes
      initiators = $2
      iterations = $3
      delay = $DELAY
      init_limit = $INIT_LIMIT
      initiator = 198.18.0.1
      responder = 198.18.0.2
      version = 2
      proposal = $IKE
      esp = $ESP
      initiator_auth = psk
      responder_auth = psk
      preshared_key = $PSK
      initiator_tsi = 10.1.0.0/24
      initiator_tsr = 10.2.0.0/24
      ike_rekey = 0
      child_rekey = 0
      dpd_delay = 0
      fake_kernel = yes
      delete_after_established = no
      shutdown_when_complete = no
    }
  }
  syslog { daemon { default = -1 } }
  filelog { lt { path = $d/charon.log
      time_format = %s
      time_add_ms = yes
      flush_line = yes
      append = no
      default = 0
      ike = 1 } }
}
SSC
}

count_child() { grep -c 'CHILD_SA load-test{[0-9]*} established' "$1" 2>/dev/null || true; }

# Runs a load-tester charon until it has logged want CHILD_SAs or TIMEOUT s passed; sets LT_COUNT.
run_initiator() {  # dir threads iterations
  local d=$1 want=$(($2 * $3)) c=0 t0=$SECONDS
  mkdir -p "$d"
  initiator_conf "$d" "$2" "$3" >"$d/strongswan.conf"
  lt_charon_start "${PREFIX}1l" "$d" "$d/strongswan.conf"
  while ((SECONDS - t0 < TIMEOUT)); do
    c=$(count_child "$d/charon.log")
    ((c >= want)) && break
    [[ -d /proc/$LT_PID ]] || { note "load-tester charon exited: $(tail -3 "$d/charon.out")"; break; }
    sleep 0.1
  done
  LT_COUNT=$c
}

stop_initiator() {
  stop_pids "$LT_PID"
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$LT_PID" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# One round: sets RESULT to "rate cpu_ms_per_sa kb_per_sa retransmits count" (rate 0 when not all N came up).
measure() {  # responder n round
  local kind=$1 n=$2 round=$3 d rpid limit cpu0 rss0 cpu1 rss1 c first last rate retr pids_before=${#PIDS[@]}
  d=$STATE/$n/$kind/round$round
  mkdir -p "$d/r"
  limit=$((n * 2 + 100))
  responder_conf "$limit" >"$d/r.conf"
  export SW_CHARON_EXTRA="  cookie_threshold = $limit
  cookie_threshold_ip = $limit
  block_threshold = $((limit + 1))"
  if [[ $kind == sw ]]; then sw_start "${PREFIX}1r" "$d/r" "$d/r.conf"; else petrel_start "${PREFIX}1r" "$d/r" "$d/r.conf"; fi ||
    { note "$kind round $round: responder did not start"; RESULT="0 0 0 0 0"; return; }
  rpid=${PIDS[-1]}
  run_initiator "$d/warm" 1 1
  c=$LT_COUNT
  stop_initiator
  if ((c < 1)); then
    note "$kind N=$n round $round: warm-up IKE SA did not come up ($d/warm/charon.log)"
    stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}"); RESULT="0 0 0 0 0"; return
  fi
  sleep 1
  cpu0=$(proc_cpu_ms "$rpid"); rss0=$(proc_rss_kb "$rpid")
  run_initiator "$d/load" "$THREADS" $((n / THREADS))
  c=$LT_COUNT
  cpu1=$(proc_cpu_ms "$rpid"); rss1=$(proc_rss_kb "$rpid")
  stop_initiator
  stop_pids "${PIDS[@]:pids_before}"; PIDS=("${PIDS[@]:0:pids_before}")
  first=$(grep -m1 'initiating IKE_SA load-test' "$d/load/charon.log" | awk '{print $1}' || true)
  last=$(grep 'CHILD_SA load-test{[0-9]*} established' "$d/load/charon.log" | tail -1 | awk '{print $1}' || true)
  retr=$(grep -c 'retransmit [0-9]* of request' "$d/load/charon.log" || true)
  rate=0
  ((c >= n)) || note "$kind N=$n round $round: only $c of $n CHILD_SAs within ${TIMEOUT}s (rate counts those)"
  ((c > 0)) && rate=$(awk -v n="$c" -v a="$first" -v b="$last" 'BEGIN {printf "%.1f", (b > a ? n / (b - a) : 0)}')
  RESULT=$(awk -v r="$rate" -v c0="$cpu0" -v c1="$cpu1" -v r0="$rss0" -v r1="$rss1" -v n="$n" -v x="$retr" -v c="$c" \
    'BEGIN {k = (c > 0 ? c : n); printf "%s %.2f %.1f %d %d", r, (c1 - c0) / k, (r1 - r0) / k, x, c}')
}

note "state in $STATE; $(machine_load)"
mkpair 1
declare -A res
started=$(date -u '+%Y-%m-%d %H:%M UTC')
loads=()
for k in "${!ns_list[@]}"; do
  n=${ns_list[k]}
  r=${rounds_list[k]:-${rounds_list[-1]}}
  for round in $(seq "$r"); do
    for s in "${setups[@]}"; do
      ld=$(cut -d' ' -f1 /proc/loadavg)
      measure "$s" "$n" "$round"
      v=$RESULT
      res[$n,$s]="${res[$n,$s]:-}${v}|"
      loads+=("$ld")
      note "N=$n round $round $s: $v (SAs/s, CPU ms/SA, kB/SA, retransmits, CHILD_SAs); load before $ld; $(machine_load)"
    done
  done
done

echo
echo "IKE responder load: load-tester initiator ($THREADS threads, delay $DELAY ms, init_limit $INIT_LIMIT), IKE $IKE, ESP $ESP, PSK, $(nproc) CPUs, started $started"
echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?); load average (1 min) before each measurement: ${loads[*]}"
printf '%-7s %-8s %-28s %9s %11s %9s %12s %s\n' N responder "rounds (SAs/s)" "SAs/s" "CPU ms/SA" "kB/SA" retransmits "CHILD_SAs up"
for n in "${ns_list[@]}"; do
  for s in "${setups[@]}"; do
    IFS='|' read -ra rows <<<"${res[$n,$s]}"
    rates=() cpus=() kbs=() retrs=() ups=()
    for row in "${rows[@]}"; do
      read -r a b c d e <<<"$row"
      rates+=("$a"); cpus+=("$b"); kbs+=("$c"); retrs+=("$d"); ups+=("$e")
    done
    printf '%-7s %-8s %-28s %9s %11s %9s %12s %s\n' "$n" "$s" "${rates[*]}" "$(median "${rates[@]}")" \
      "$(median "${cpus[@]}")" "$(median "${kbs[@]}")" "$(median "${retrs[@]}")" "${ups[*]}"
  done
done
echo "every round (SAs/s, CPU ms/SA, kB/SA, retransmits, CHILD_SAs counted):"
for n in "${ns_list[@]}"; do
  for s in "${setups[@]}"; do echo "  N=$n $s: ${res[$n,$s]%|}" | sed 's/|/; /g'; done
done
