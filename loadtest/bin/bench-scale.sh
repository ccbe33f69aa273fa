#!/usr/bin/env bash
# Horizontal scaling: does a node's cost grow with the size of its cluster? For each cluster size, a fresh local
# cluster (local-cluster.sh, each node its own JVM, the node's own warm-up off) is measured
#   idle:     for --idle-seconds once every member reports memberSafe (the partitions settled), and
#   per call: around --calls full calls (cost command: two new sockets per call, each peer's partner on another
#             node, join, join, start, a 5 KB offer and answer, 10 candidates each way, leave), --in-flight at
#             once, after --warm-calls calls that warm the nodes' JIT and are not measured.
# What it reads, per node, before and after each phase:
#   - node-to-node TCP segments and bytes sent (ss -tin: the node's sockets whose local and peer ports are neither
#     a client nor a management port, i.e. its Hazelcast and event-bus connections to the other members);
#   - node-to-node messages and bytes sent, from the node's own /metrics
#     (signaling_cluster_traffic_{messages,bytes}_total{direction="sent"}, both layers);
#   - CPU time of the node process (utime+stime, /proc/PID/stat).
# A call's node-to-node figures are call-driven: the idle rate over the phase's duration is taken off first.
# CPU per call is summed over the nodes. Writes scale.tsv and SCALE.md (the table) in --out.
#
#   loadtest/bin/bench-scale.sh [--nodes "2 3 4 6 8"] [--idle-seconds 20] [--calls 1000] [--in-flight 10]
#                               [--warm-calls 2000] [--heap 384m] [--failure-timeout SECONDS] [--out DIR]
#                               [--node-warmup-calls N]
#
# --failure-timeout sets the nodes' SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS (default: theirs, 2): on a machine with
# fewer cores than node JVMs, a node starved of CPU for 2 s misses heartbeats and is suspected and removed, and the
# cluster splits and merges under the load it is measured with.
#
# --node-warmup-calls gives each node its own warm-up before it reports ready (SIGNALING_WARMUP_CALLS; default 0,
# the warm-up off): with it, CPU per call compares nodes that are each warm, whatever the size of the cluster,
# instead of nodes that saw a share of --warm-calls that shrinks as the cluster grows.
#
# Build first: mvn -B package -DskipTests. Ports (override with the environment): NODE_HTTP_PORT 5080..,
# NODE_MANAGEMENT_PORT 9000.., NODE_CLUSTER_PORT 5701... Needs curl and ss (iproute2).
#
# Against a cluster already running elsewhere (Kubernetes: port-forward or reach each pod's management port):
#
#   loadtest/bin/bench-scale.sh --management http://pod-a:9000,http://pod-b:9000,... -t ws://signaling/WebRTCAppEE/websocket
#
# measures that cluster once, the same way, reading everything from the nodes' own /metrics: messages and bytes
# from the traffic counters, CPU from signaling_process_cpu_seconds_total (no ss: no segment columns). -t is what
# the load client calls (a Service, or every pod's URL); with a Service, "each peer's partner on another node"
# is up to the balancer. The cluster is neither started nor stopped.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/loadtest/target/bench-scale/$(date -u +%Y%m%d-%H%M%S)"
nodes_list="2 3 4 6 8"
idle_seconds=20
calls=1000
in_flight=10
warm_calls=2000
heap=384m
node_warmup=0
node_flags=()
remote=""
remote_targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes_list="$2"; shift 2 ;;
    --idle-seconds) idle_seconds="$2"; shift 2 ;;
    --calls) calls="$2"; shift 2 ;;
    --in-flight) in_flight="$2"; shift 2 ;;
    --warm-calls) warm_calls="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --node-warmup-calls) node_warmup="$2"; shift 2 ;;
    --failure-timeout) node_flags+=(--cluster-failure-timeout-seconds "$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --management) remote="$2"; shift 2 ;;
    -t|--target) remote_targets="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for v in "$idle_seconds" "$calls" "$in_flight" "$warm_calls" "$node_warmup"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "--idle-seconds, --calls, --in-flight, --warm-calls and --node-warmup-calls take whole numbers" >&2; exit 2; }
done
node_flags+=(--warmup-calls "$node_warmup")
command -v curl >/dev/null && command -v ss >/dev/null || { echo "needs curl and ss" >&2; exit 2; }
if [ -n "$remote" ]; then
  [ -n "$remote_targets" ] || { echo "--management needs -t (the WebSocket URLs the load client calls)" >&2; exit 2; }
  IFS=, read -r -a remote_urls <<<"$remote"
  nodes_list="${#remote_urls[@]}"
fi

java_bin="${JAVA:-java}"
harness=("$java_bin" -Xms1g -Xmx1g -jar "$root/loadtest/target/loadtest.jar")
cluster="$here/local-cluster.sh"
cluster_dir="$root/loadtest/target/scale-cluster"
http_base="${NODE_HTTP_PORT:-5080}"
management_base="${NODE_MANAGEMENT_PORT:-9000}"
ports=(--http-port "$http_base" --management-port "$management_base" --cluster-port "${NODE_CLUSTER_PORT:-5701}"
  --dir "$cluster_dir" --heap "$heap")
tick_ms=$((1000 / $(getconf CLK_TCK)))
mkdir -p "$out"

cleanup() {
  "$cluster" stop --dir "$cluster_dir" >/dev/null 2>&1 || true
}
[ -n "$remote" ] || trap cleanup EXIT

# metrics URL: "cpu_ms messages_sent bytes_sent" from a node's /metrics
from_metrics() {
  curl -sf "$1/metrics" | awk '
    /^signaling_cluster_traffic_messages_total[{].*direction="sent"/ { m += $NF }
    /^signaling_cluster_traffic_bytes_total[{].*direction="sent"/ { b += $NF }
    /^signaling_process_cpu_seconds_total / { c = $NF * 1000 }
    END { printf "%d %d %d", c, m, b }'
}

management_url() {
  if [ -n "$remote" ]; then echo "${remote_urls[$(($1 - 1))]}"; else echo "http://127.0.0.1:$(cat "$cluster_dir/node-$1.mport")"; fi
}

# snapshot N: one line per node: pid cpu_ms segs_out bytes_sent(ss) messages_sent bytes_sent(metrics)
snapshot() {
  local n="$1" k pid mport excluded
  if [ -n "$remote" ]; then
    for k in $(seq 1 "$n"); do
      read -r c m b <<<"$(from_metrics "$(management_url "$k")")"
      echo "0 $c 0 0 $m $b"
    done
    return
  fi
  excluded=" "
  for k in $(seq 0 $((n - 1))); do
    excluded+="$((http_base + k)) $((management_base + k)) "
  done
  for k in $(seq 1 "$n"); do
    pid="$(cat "$cluster_dir/node-$k.pid")"
    mport="$(cat "$cluster_dir/node-$k.mport")"
    local cpu
    cpu=$(awk -v t="$tick_ms" '{ sub(/^.*\) /, ""); print ($12 + $13) * t }' "/proc/$pid/stat")
    local wire
    wire=$(ss -tinpH state established 2>/dev/null | awk -v pid="pid=$pid," -v ex="$excluded" '
      /^[^ \t]/ {
        mine = index($0, pid) > 0
        n = split($3, l, ":"); lp = l[n]; n = split($4, r, ":"); rp = r[n]
        if (index(ex, " " lp " ") || index(ex, " " rp " ")) mine = 0
        next
      }
      mine {
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^segs_out:/) { split($i, a, ":"); segs += a[2] }
          if ($i ~ /^bytes_sent:/) { split($i, a, ":"); bytes += a[2] }
        }
        mine = 0
      }
      END { printf "%d %d", segs, bytes }')
    local m b
    read -r _ m b <<<"$(from_metrics "http://127.0.0.1:$mport")"
    echo "$pid $cpu $wire $m $b"
  done
}

# total FILE_BEFORE FILE_AFTER: sums of the differences, per column: cpu_ms segs bytes messages mbytes
delta() {
  paste -d' ' "$1" "$2" | awk '{ c += $8 - $2; s += $9 - $3; b += $10 - $4; m += $11 - $5; mb += $12 - $6 }
    END { printf "%d %d %d %d %d", c, s, b, m, mb }'
}

all_safe() {
  local n="$1" k health
  for k in $(seq 1 "$n"); do
    health="$(curl -sf "$(management_url "$k")/health/ready" || true)"
    grep -q '"memberSafe":true' <<<"$health" || return 1
    grep -q "\"members\":$n[,}]" <<<"$health" || return 1
  done
}

now_ms() { date +%s%3N; }

printf 'nodes\tidle_seconds\tidle_cpu_ms\tidle_segs\tidle_bytes\tidle_messages\tidle_mbytes\tcalls\tcall_seconds\tcall_cpu_ms\tcall_segs\tcall_bytes\tcall_messages\tcall_mbytes\n' >"$out/scale.tsv"
for n in $nodes_list; do
  echo "== $n node(s)"
  if [ -n "$remote" ]; then
    urls="$remote_targets"
  else
    # many nodes starting together on a busy machine may fail to form one cluster in time (members starved of
    # CPU miss heartbeats and are suspected): two first, then one at a time, each added once the others are ready
    first=$((n < 2 ? n : 2))
    "$cluster" start --nodes "$first" "${ports[@]}" -- "${node_flags[@]}" >/dev/null
    for _ in $(seq $((first + 1)) "$n"); do
      "$cluster" add --dir "$cluster_dir" >/dev/null
    done
    urls="$("$cluster" urls --dir "$cluster_dir")"
  fi
  for _ in $(seq 1 600); do all_safe "$n" && break; sleep 0.1; done
  all_safe "$n" || { echo "the cluster of $n did not report every member safe" >&2; exit 1; }

  snapshot "$n" >"$out/$n-idle-before"; t0=$(now_ms)
  sleep "$idle_seconds"
  snapshot "$n" >"$out/$n-idle-after"; t1=$(now_ms)
  idle="$(delta "$out/$n-idle-before" "$out/$n-idle-after")"
  idle_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')

  # warm the nodes (and the client) without measuring; the measured run is one cost run of two rounds
  "${harness[@]}" cost -t "$urls" --calls "$warm_calls" --in-flight "$in_flight" --warmup-calls 0 --warm-rounds 1 \
    --client-warmup-calls 2000 --allow-errors -o "$out/$n-warm" >"$out/$n-warm.log" 2>&1
  for _ in $(seq 1 600); do all_safe "$n" && break; sleep 0.1; done
  snapshot "$n" >"$out/$n-calls-before"; t0=$(now_ms)
  "${harness[@]}" cost -t "$urls" --calls "$calls" --in-flight "$in_flight" --warmup-calls 0 --warm-rounds 1 \
    --client-warmup-calls 0 --allow-errors -o "$out/$n-calls" >"$out/$n-calls.log" 2>&1
  snapshot "$n" >"$out/$n-calls-after"; t1=$(now_ms)
  during="$(delta "$out/$n-calls-before" "$out/$n-calls-after")"
  calls_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$idle_s" "${idle// /$'\t'}" "$((2 * calls))" "$calls_s" \
    "${during// /$'\t'}" >>"$out/scale.tsv"
  grep -E "errors|lost" "$out/$n-calls.log" | tail -n 2 || true
  [ -n "$remote" ] || "$cluster" stop --dir "$cluster_dir"
done

awk -F'\t' -v segments="$([ -n "$remote" ] && echo no || echo yes)" '
  NR == 1 { next }
  {
    n = $1; is = $2; calls = $8; cs = $9
    idle_cpu = $3 / is / n; idle_segs = $4 / is / n; idle_bytes = $5 / is / n; idle_msgs = $6 / is / n
    # call-driven: what the calls added over the idle rate during the run
    seg_call = ($11 - $4 / is * cs) / calls; byte_call = ($12 - $5 / is * cs) / calls
    msg_call = ($13 - $6 / is * cs) / calls; cpu_call = ($10 - $3 / is * cs) / calls
    is_ = segments == "yes" ? sprintf("%.1f", idle_segs) : "-"; cs_ = segments == "yes" ? sprintf("%.1f", seg_call) : "-"
    rows[++r] = sprintf("| %d | %s | %.1f | %.0f | %.1f | %s | %.1f | %.1f | %.2f | %.0f |", n, is_, idle_msgs,
      idle_bytes, idle_cpu, cs_, msg_call, byte_call / 1024, cpu_call, calls / cs)
  }
  END {
    print "| nodes | idle: node-to-node segments/s per node | idle: messages/s per node | idle: bytes/s per node | idle: CPU ms/s per node | per call: node-to-node segments | per call: messages | per call: KB | per call: CPU ms (all nodes) | calls/s |"
    print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= r; i++) print rows[i]
  }' "$out/scale.tsv" | tee "$out/SCALE.md"
echo "table written to $out/SCALE.md"
