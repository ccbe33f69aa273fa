#!/usr/bin/env bash
# Webhooks on against off, in one run on this machine (docs/PERFORMANCE.md, "Webhooks"):
#   1. a fresh 2-node cluster without webhooks: the cost rounds (CPU per call, pairing p99);
#   2. a fresh 2-node cluster with webhooks to a webhook-sink on loopback (signatures and order checked): the same
#      rounds; the nodes' backlog gauge is sampled every second (it must stay bounded at the harness's call rate);
#   3. on that cluster, the sink goes down for --outage seconds while calls go on, then comes back: the time until
#      every event created before it came back was delivered is the catch-up time.
#   COST.md has rows 1 and 2 with their ratio; webhooks.txt the backlog samples, the sink's report and the catch-up.
#
#   loadtest/bin/bench-webhooks.sh [--out DIR] [--quick] [--calls N] [--warmup-calls N] [--warm-rounds N]
#                                  [--in-flight N] [--outage SECONDS]
#
# Build first: mvn -B package -DskipTests. --quick: rounds of 300 calls, 600 warm-up calls, one warm round and a
# 20 s outage (a check that it works, not a measurement). Ports: NODE_HTTP_PORT 5080.., NODE_MANAGEMENT_PORT
# 9000.., NODE_CLUSTER_PORT 5701.., SINK_PORT 8088. SIGNALING_WARMUP_CALLS (default 6000) sets the nodes' warm-up.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/loadtest/target/bench-webhooks/$(date -u +%Y%m%d-%H%M%S)"
calls=3000
warmup=20000
warm_rounds=3
in_flight=20
outage=60
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --quick) calls=300; warmup=600; warm_rounds=1; outage=20; shift ;;
    --calls) calls="$2"; shift 2 ;;
    --warmup-calls) warmup="$2"; shift 2 ;;
    --warm-rounds) warm_rounds="$2"; shift 2 ;;
    --in-flight) in_flight="$2"; shift 2 ;;
    --outage) outage="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

java_bin="${JAVA:-java}"
harness=("$java_bin" -Xms1g -Xmx1g -jar "$root/loadtest/target/loadtest.jar")
cluster="$here/local-cluster.sh"
cluster_dir="$root/loadtest/target/webhooks-cluster"
sink_port="${SINK_PORT:-8088}"
mgmt_port="${NODE_MANAGEMENT_PORT:-9000}"
ports=(--http-port "${NODE_HTTP_PORT:-5080}" --management-port "$mgmt_port"
  --cluster-port "${NODE_CLUSTER_PORT:-5701}" --dir "$cluster_dir")
rounds=(--calls "$calls" --warmup-calls "$warmup" --warm-rounds "$warm_rounds" --in-flight "$in_flight" --allow-errors)
mkdir -p "$out"
# the nodes' warm-up before readiness (the same for both clusters)
export SIGNALING_WARMUP_CALLS="${SIGNALING_WARMUP_CALLS:-6000}"
export SIGNALING_WEBHOOK_SECRET="${SIGNALING_WEBHOOK_SECRET:-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"

sink_pid=""
sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  "$cluster" stop --dir "$cluster_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

backlog() { # the summed backlog gauge of both nodes
  local total=0 v
  for m in $("$cluster" management --dir "$cluster_dir" | tr ',' ' '); do
    v="$(curl -s "$m/metrics" | awk '/^signaling_webhook_backlog /{print int($2)}')"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

echo "== 2 nodes, webhooks off"
urls="$(SIGNALING_WEBHOOK_URLS= "$cluster" start --nodes 2 "${ports[@]}" | tail -n 1)"
"${harness[@]}" cost -t "$urls" --server-pids-from "$cluster_dir" --label "2 nodes, webhooks off" "${rounds[@]}" \
  -o "$out/1-off" | grep -E "^\||reports written"
"$cluster" stop --dir "$cluster_dir"

echo "== 2 nodes, webhooks on (sink on 127.0.0.1:$sink_port)"
"${harness[@]}" webhook-sink --port "$sink_port" --report-seconds 5 >"$out/sink.log" 2>&1 &
sink_pid=$!
urls="$(SIGNALING_WEBHOOK_URLS="http://127.0.0.1:$sink_port/hook" "$cluster" start --nodes 2 "${ports[@]}" | tail -n 1)"
(while true; do echo "$(date +%s) $(backlog)"; sleep 1; done) >"$out/backlog.txt" &
sampler_pid=$!
"${harness[@]}" cost -t "$urls" --server-pids-from "$cluster_dir" --label "2 nodes, webhooks on" "${rounds[@]}" \
  -o "$out/2-on" | grep -E "^\||reports written"
kill "$sampler_pid"; sampler_pid=""
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=""

echo "== the sink down for $outage s under calls"
"${harness[@]}" webhook-sink --port "$sink_port" --report-seconds 2 --down-at 5 --down-for "$outage" >"$out/outage.log" 2>&1 &
sink_pid=$!
(while true; do echo "$(date +%s) $(backlog)"; sleep 1; done) >"$out/outage-backlog.txt" &
sampler_pid=$!
"${harness[@]}" cost -t "$urls" --server-pids-from "$cluster_dir" --label "outage" --calls "$calls" \
  --warmup-calls 0 --warm-rounds 1 --in-flight "$in_flight" --client-warmup-calls 0 --allow-errors -o "$out/3-outage" \
  | grep -E "reports written" || true
# after the calls, wait for the backlog to drain (bounded)
for _ in $(seq 1 600); do
  [ "$(backlog)" = "0" ] && grep -q "up again" "$out/outage.log" && break
  sleep 1
done
sleep 3
kill "$sampler_pid"; sampler_pid=""
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=""

"${harness[@]}" cost-table "$out" --write "$out/COST.md"
{
  echo "backlog max, webhooks on at the harness's call rate: $(awk '{ if ($2 > m) m = $2 } END { print m+0 }' "$out/backlog.txt")"
  echo "backlog max during the outage: $(awk '{ if ($2 > m) m = $2 } END { print m+0 }' "$out/outage-backlog.txt")"
  echo "sink, webhooks-on rounds: $(grep '^final' "$out/sink.log")"
  echo "sink, outage: $(grep '^final' "$out/outage.log")"
  echo "catch-up: $(grep -o 'outage backlog delivered [0-9.]* s after the sink came back' "$out/outage.log" | tail -n 1)"
} | tee "$out/webhooks.txt"
echo "cost table written to $out/COST.md"
