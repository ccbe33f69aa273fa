#!/usr/bin/env bash
# The hostile-client benchmark: a 2-node local cluster with the node's own connection-layer defaults
# (handshake deadline 10 s, 1,000 connections per address, 2,000 pending handshakes), then
#
#   quiet      pairs alone (well-behaved calls across the two nodes, new sockets per call)
#   silent     the same pairs command while 10,000 silent connections from 8 loopback addresses arrive at
#              150/s on node 1 (about 1,500 held at once: below the pending-handshake cap)
#   flood      pairs (shorter) while 10,000 silent connections arrive at 500/s on node 1 (about 5,000 would be
#              held: the pending-handshake cap refuses the rest, well-behaved handshakes included)
#   address    1,500 silent connections from one address (the per-address cap refuses 500)
#   slowloris  2,000 connections from 8 addresses sending a partial upgrade and a header byte a second
#
# Node 1's and node 2's open files (/proc/<pid>/fd) are sampled every second throughout (files.csv), and
# their metrics are saved before and after every phase. Results in one directory, one sub-directory per run.
#
#   loadtest/bin/bench-hostile.sh [--out DIR] [--pairs-rate N] [--http-port P] [--management-port P] [--cluster-port P]
#
# Build first: mvn -B package -DskipTests. Takes about 5 minutes.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/loadtest/target/bench/hostile-$(date -u +%Y%m%d-%H%M%S)"
pairs_rate=100
http_port=5080
management_port=9000
cluster_port=5701
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --pairs-rate) pairs_rate="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --management-port) management_port="$2"; shift 2 ;;
    --cluster-port) cluster_port="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

java_bin="${JAVA:-java}"
jar="$root/loadtest/target/loadtest.jar"
cluster="$here/local-cluster.sh"
dir="$out/cluster"
mkdir -p "$out" "$dir"

sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  "$cluster" stop --dir "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# the per-address cap back at the node's default (local-cluster.sh lifts it for the harness's clients)
"$cluster" start --nodes 2 --http-port "$http_port" --management-port "$management_port" \
  --cluster-port "$cluster_port" --dir "$dir" -- --max-connections-per-address 1000 | tail -n 1
urls="$("$cluster" urls --dir "$dir")"
node1="${urls%%,*}"
mgmt="$("$cluster" management --dir "$dir")"
mgmt1="${mgmt%%,*}"
mgmt2="${mgmt##*,}"
pids="$("$cluster" pids --dir "$dir")"
pid1="${pids%%,*}"
pid2="${pids##*,}"

t0=$(date +%s.%N)
echo "seconds,phase,node1.openFiles,node2.openFiles" >"$out/files.csv"
echo quiet >"$out/phase"
(
  while true; do
    now=$(date +%s.%N)
    f1=$(ls "/proc/$pid1/fd" 2>/dev/null | wc -l)
    f2=$(ls "/proc/$pid2/fd" 2>/dev/null | wc -l)
    printf '%.1f,%s,%s,%s\n' "$(echo "$now - $t0" | bc)" "$(cat "$out/phase")" "$f1" "$f2" >>"$out/files.csv"
    sleep 1
  done
) &
sampler_pid=$!

metrics() {
  curl -s "$mgmt1/metrics" | grep -E '^signaling_(tcp_connections|handshakes_pending|connections|connections_refused_total|connection_timeouts_total)[ {]' \
    >"$out/metrics-node1-$1.txt"
  curl -s "$mgmt2/metrics" | grep -E '^signaling_(tcp_connections|handshakes_pending|connections|connections_refused_total|connection_timeouts_total)[ {]' \
    >"$out/metrics-node2-$1.txt"
}

pairs() { # NAME DURATION
  "$java_bin" -Xms1g -Xmx1g -jar "$jar" pairs -t "$urls" --rate "$pairs_rate" --duration "$2" --warmup 10 \
    -o "$out/$1" --allow-errors | tail -n 12
}

hostile() { # NAME ARGS...
  local name="$1"; shift
  "$java_bin" -Xmx512m -jar "$jar" hostile -t "$node1" -m "$mgmt1" --node-pid "$pid1" --deadline 10 --margin 10 \
    --hold 40 -o "$out/$name" "$@" >"$out/$name.log" 2>&1
}

echo "== quiet: pairs alone"
metrics quiet-before
pairs quiet 60
metrics quiet-after

echo "== silent: the same pairs while 10,000 silent connections arrive at 150/s on node 1"
echo silent >"$out/phase"
hostile silent --count 10000 --rate 150 --bind 127.0.0.2-127.0.0.9 &
attack=$!
sleep 3
pairs silent-pairs 60
wait "$attack" || true
tail -n 6 "$out/silent.log"
metrics silent-after

echo "== flood: pairs while 10,000 silent connections arrive at 500/s on node 1"
echo flood >"$out/phase"
hostile flood --count 10000 --rate 500 --bind 127.0.0.2-127.0.0.9 &
attack=$!
sleep 3
pairs flood-pairs 15
wait "$attack" || true
tail -n 6 "$out/flood.log"
metrics flood-after

echo "== address: 1,500 silent connections from one address"
echo address >"$out/phase"
hostile address --count 1500 --rate 500 --bind 127.0.0.10 || true
tail -n 6 "$out/address.log"
metrics address-after

echo "== slowloris: 2,000 connections from 8 addresses, a header byte a second"
echo slowloris >"$out/phase"
hostile slowloris --count 2000 --rate 200 --bind 127.0.0.2-127.0.0.9 --mode slowloris --byte-interval 1000 || true
tail -n 6 "$out/slowloris.log"
metrics slowloris-after

echo "results in $out"
