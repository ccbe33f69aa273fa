#!/usr/bin/env bash
# Cost per call, side by side with the PeerJS server, in one run on this machine:
#   the PeerJS server (npm peer, pinned in loadtest/peerjs, a Node.js process on 127.0.0.1, no rooms or cluster),
#   then fresh local clusters of 1, 2, 3 and 4 nodes (each node its own JVM; peers' partners on another node).
#   Against each: rounds of full calls (two new sockets, join, join, start, a 5 KB offer and answer, 10
#   candidates each way, leave; PeerJS: the same minus join, start and leave), 20 in flight, the server processes'
#   CPU time (utime+stime from /proc) read around every round. The first round on the fresh process is reported
#   apart from the warm rounds (after the warm-up calls); at the end, resident memory per idle socket. The
#   offered load is the same for every target. COST.md puts them in one table with the ratios to PeerJS.
#
#   loadtest/bin/bench-cost.sh [--out DIR] [--quick] [--nodes "1 2 3 4"] [--calls N] [--warmup-calls N]
#                              [--warm-rounds N] [--in-flight N] [--idle-sockets N] [--skip-peerjs]
#
# Build first: mvn -B package -DskipTests (and have node and npm for PeerJS: npm ci runs here). --quick: rounds
# of 300 calls, 600 warm-up calls, one warm round (a check that it works, not a measurement). Ports (override
# with the environment): PEERJS_PORT 5090, NODE_HTTP_PORT 5080.., NODE_MANAGEMENT_PORT 9000..,
# NODE_CLUSTER_PORT 5701...
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/loadtest/target/bench-cost/$(date -u +%Y%m%d-%H%M%S)"
nodes_list="1 2 3 4"
calls=3000
warmup=20000
warm_rounds=3
in_flight=20
idle=2000
peerjs=true
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --quick) calls=300; warmup=600; warm_rounds=1; idle=200; shift ;;
    --nodes) nodes_list="$2"; shift 2 ;;
    --calls) calls="$2"; shift 2 ;;
    --warmup-calls) warmup="$2"; shift 2 ;;
    --warm-rounds) warm_rounds="$2"; shift 2 ;;
    --in-flight) in_flight="$2"; shift 2 ;;
    --idle-sockets) idle="$2"; shift 2 ;;
    --skip-peerjs) peerjs=false; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

java_bin="${JAVA:-java}"
harness=("$java_bin" -Xms1g -Xmx1g -jar "$root/loadtest/target/loadtest.jar")
cluster="$here/local-cluster.sh"
cluster_dir="$root/loadtest/target/cost-cluster"
peerjs_port="${PEERJS_PORT:-5090}"
ports=(--http-port "${NODE_HTTP_PORT:-5080}" --management-port "${NODE_MANAGEMENT_PORT:-9000}"
  --cluster-port "${NODE_CLUSTER_PORT:-5701}" --dir "$cluster_dir")
rounds=(--calls "$calls" --warmup-calls "$warmup" --warm-rounds "$warm_rounds" --in-flight "$in_flight"
  --idle-sockets "$idle" --allow-errors)
mkdir -p "$out"

peerjs_pid=""
cleanup() {
  [ -n "$peerjs_pid" ] && kill "$peerjs_pid" 2>/dev/null || true
  "$cluster" stop --dir "$cluster_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if $peerjs; then
  echo "== PeerJS server (npm peer $(sed -n 's/.*"peer": *"\([^"]*\)".*/\1/p' "$root/loadtest/peerjs/package.json"))"
  (cd "$root/loadtest/peerjs" && npm ci --no-audit --no-fund --silent)
  node "$root/loadtest/peerjs/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 --port "$peerjs_port" \
    --concurrent_limit 100000 >"$out/peerjs.log" 2>&1 &
  peerjs_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$peerjs_port") 2>/dev/null && break
    sleep 0.1
  done
  "${harness[@]}" cost -t "ws://127.0.0.1:$peerjs_port/peerjs" --protocol peerjs --label PeerJS \
    --server-pids "$peerjs_pid" "${rounds[@]}" -o "$out/0-peerjs" | grep -E "^\||reports written"
  kill "$peerjs_pid" 2>/dev/null || true
  wait "$peerjs_pid" 2>/dev/null || true
  peerjs_pid=""
fi

for n in $nodes_list; do
  echo "== $n node(s), fresh processes"
  urls="$("$cluster" start --nodes "$n" "${ports[@]}" | tail -n 1)"
  "${harness[@]}" cost -t "$urls" --server-pids-from "$cluster_dir" "${rounds[@]}" -o "$out/$n-nodes" | grep -E "^\||reports written"
  "$cluster" stop --dir "$cluster_dir"
done

"${harness[@]}" cost-table "$out" --write "$out/COST.md"
echo "cost table written to $out/COST.md"
