#!/usr/bin/env bash
# The standard benchmark suite, on this machine, load generator included:
#   the baseline (a plain Vert.x WebSocket relay, no cluster: this machine's practical limit), then local
#   clusters of 1, 2 and 3 nodes (each node its own JVM), each with the same runs, then 19,000 idle sockets
#   on one node. Every run has a warm-up whose figures are discarded. Results go to one directory, one
#   sub-directory per run, and SUMMARY.md puts them side by side with ratios. Then the cost per call
#   (bench-cost.sh: the PeerJS server as a second baseline, fresh clusters of 1 to 4 nodes, first round and
#   warm) into cost/, with its table in cost/COST.md.
#
#   loadtest/bin/bench-suite.sh [--out DIR] [--quick] [--skip-connections] [--skip-cost]
#
# Build first: mvn -B package -DskipTests. --quick shortens every run (a check that the suite works, not a
# measurement). Ports used: 5070 (baseline), 5080-5082 (nodes), 9000-9002 (the nodes' management), 5701-5703
# (cluster).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/loadtest/target/bench/$(date -u +%Y%m%d-%H%M%S)"
quick=false
connections=true
cost=true
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --quick) quick=true; shift ;;
    --skip-connections) connections=false; shift ;;
    --skip-cost) cost=false; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

java_bin="${JAVA:-java}"
harness=("$java_bin" -Xms1g -Xmx1g -jar "$root/loadtest/target/loadtest.jar")
cluster="$here/local-cluster.sh"
mkdir -p "$out"

if $quick; then
  warm=2; short=3; long=5; churn_rate=100; soak_rates="2000"; sweep_rates="500 1000"; pairs_rate=50; sockets=500
else
  warm=10; short=20; long=60; churn_rate=1000; soak_rates="20000"; sweep_rates="5000 10000"; pairs_rate=200
  sockets=19000
fi

baseline_pid=""
cleanup() {
  [ -n "$baseline_pid" ] && kill "$baseline_pid" 2>/dev/null || true
  "$cluster" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

# runs SETUP URLS SOAK_RATES: relay capacity, relay latency at each paced rate, then call setups on new sockets
runs() {
  local setup="$1" urls="$2" rates="$3"
  "${harness[@]}" throughput -t "$urls" --pairs 50 --window 8 --duration "$short" --warmup "$warm" \
    -o "$out/$setup-throughput" --allow-errors | tail -n 3
  for rate in $rates; do
    "${harness[@]}" soak -t "$urls" --pairs 500 --message-rate "$rate" --duration "$short" --warmup "$warm" \
      --connect-rate 1000 -o "$out/$setup-soak-$rate" --allow-errors | tail -n 3
  done
  "${harness[@]}" pairs -t "$urls" --rate "$pairs_rate" --duration "$short" --warmup "$warm" \
    -o "$out/$setup-pairs" --allow-errors | tail -n 3
}

echo "== baseline: plain Vert.x WebSocket relay, no cluster"
"${harness[@]}" baseline-relay --port 5070 >"$out/baseline-relay.log" 2>&1 &
baseline_pid=$!
"${harness[@]}" await -t ws://127.0.0.1:5070/WebRTCAppEE/websocket -m http://127.0.0.1:5070 --timeout 60 >/dev/null
runs baseline ws://127.0.0.1:5070/WebRTCAppEE/websocket "$sweep_rates $soak_rates"
kill "$baseline_pid" 2>/dev/null || true
wait "$baseline_pid" 2>/dev/null || true
baseline_pid=""

for n in 1 2 3; do
  echo "== $n node(s)"
  urls="$("$cluster" start --nodes "$n" | tail -n 1)"
  if [ "$n" = 2 ]; then rates="$sweep_rates $soak_rates"; else rates="$soak_rates"; fi
  runs "$n-nodes" "$urls" "$rates"
  if [ "$n" = 3 ]; then
    "${harness[@]}" churn -t "$urls" --rate "$churn_rate" --duration "$long" --warmup "$warm" \
      -o "$out/$n-nodes-churn" --allow-errors | tail -n 3
  fi
  "$cluster" stop
  mkdir -p "$out/$n-nodes-logs" && cp "$root"/loadtest/target/local-cluster/node-*.log "$out/$n-nodes-logs/" 2>/dev/null || true
done

if $connections; then
  echo "== $sockets idle sockets on one node"
  # heap pre-touched, so the resident-set growth shows memory beyond the heap
  urls="$(NODE_JAVA_OPTS=-XX:+AlwaysPreTouch "$cluster" start --nodes 1 --heap 1g | tail -n 1)"
  pid="$("$cluster" pids)"
  "${harness[@]}" connections -t "$urls" -m "$("$cluster" management)" --count "$sockets" --connect-rate 1500 --hold 10 --processes 4 \
    --bind 127.0.0.2-127.0.0.9 --node-pid "$pid" -o "$out/1-node-connections" --allow-errors | tail -n 8
  "$cluster" stop
fi

"${harness[@]}" summarize "$out" --write

if $cost; then
  echo "== cost per call: PeerJS, then 1 to 4 nodes"
  if $quick; then "$here/bench-cost.sh" --out "$out/cost" --quick; else "$here/bench-cost.sh" --out "$out/cost"; fi
fi
echo "suite written to $out"
