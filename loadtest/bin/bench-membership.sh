#!/usr/bin/env bash
# A membership change with a large room directory: a local 2-node cluster (local-cluster.sh, each node its own JVM,
# the node's own warm-up off) whose room directory is filled with --rooms rooms of one peer each (ceil(rooms /
# rooms-per-socket) sockets spread over both nodes, each joining --rooms-per-socket distinct rooms, held and pinging
# to the end), then a probe of --call-rate new calls per second (each on two new sockets on two nodes) while
# node 3 is added (at --steady seconds) and drained again (--scaled seconds later): 2 -> 3 -> 2 nodes.
# Writes MEMBERSHIP.md (the table) in --out, with the harness's own report (run/), the nodes' logs (cluster/) and
# GC logs.
#
#   loadtest/bin/bench-membership.sh [--rooms 1000000] [--rooms-per-socket 128] [--fill-in-flight 512]
#                                    [--heap 2g] [--call-rate 20] [--steady 30] [--scaled 30] [--after 20]
#                                    [--settle 5] [--failure-timeout SECONDS] [--out DIR]
#
# --failure-timeout sets the nodes' SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS (default: theirs, 2): on a machine with
# fewer cores than busy JVMs, a node starved of CPU for 2 s (a GC of a heap holding a million rooms, on CPU time it
# shares) misses heartbeats and is removed, and the two halves, each holding half a million rooms, then fail to merge
# while migrations are pending.
#
# Per event the table gives: the time until the added node was ready (local-cluster.sh add: it sees every member
# and answers /health/ready 200) or the drained node exited, the time until the cluster was member-safe (every
# member's /health/safe 200, each seeing every member), the probe calls started and failed and the errors during the
# event's phase, and the probe's pairing latency (second join -> start) in that phase; and the same for the
# window right after the fill, before any change (the "steady" phase). Builds nothing: run
# `mvn -B -ntp -DskipTests package` first. Ports (override with the environment): NODE_HTTP_PORT 5080..,
# NODE_MANAGEMENT_PORT 9000.., NODE_CLUSTER_PORT 5701... The nodes get --max-rooms-per-connection
# --rooms-per-socket; the harness needs about one file descriptor per fill socket (the script raises its soft
# `ulimit -n` to the hard limit). NODE_JAVA_OPTS is passed on to the nodes (GC logging is added).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/loadtest/target/bench-membership/$(date -u +%Y%m%d-%H%M%S)"
rooms=1000000
per_socket=128
in_flight=512
heap=2g
call_rate=20
steady=30
scaled=30
after=20
settle=5
node_flags=(--warmup-calls 0)
while [ $# -gt 0 ]; do
  case "$1" in
    --rooms) rooms="$2"; shift 2 ;;
    --rooms-per-socket) per_socket="$2"; shift 2 ;;
    --fill-in-flight) in_flight="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --call-rate) call_rate="$2"; shift 2 ;;
    --steady) steady="$2"; shift 2 ;;
    --scaled) scaled="$2"; shift 2 ;;
    --after) after="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --failure-timeout) node_flags+=(--cluster-failure-timeout-seconds "$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for v in "$rooms" "$per_socket" "$in_flight" "$steady" "$scaled" "$after" "$settle"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "--rooms, --rooms-per-socket, --fill-in-flight, --steady, --scaled, --after and --settle take whole numbers" >&2; exit 2; }
done
[ "$per_socket" -ge 1 ] && [ "$steady" -ge 1 ] && [ "$scaled" -ge 1 ] && [ "$after" -ge 1 ] \
  || { echo "--rooms-per-socket, --steady, --scaled and --after must be at least 1" >&2; exit 2; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
[ -f "$root/loadtest/target/loadtest.jar" ] && [ -f "$root/signaling-node/target/signaling-node.jar" ] \
  || { echo "build first: mvn -B -ntp -DskipTests package" >&2; exit 2; }

sockets=$(( (rooms + per_socket - 1) / per_socket ))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((sockets + 2000)) ]; then
  echo "ulimit -n is $(ulimit -n): the harness needs about $((sockets + 2000)) file descriptors" >&2
  exit 2
fi

java_bin="${JAVA:-java}"
cluster="$here/local-cluster.sh"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cluster_dir="$out/cluster" # the cluster's state and node logs, one per run: a run never touches another's nodes

cleanup() {
  "$cluster" stop --dir "$cluster_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 2 nodes, heap $heap each; load average $load_before"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:-} -Xlog:gc*:file=$out/gc-%p.log:uptime,level,tags" \
  "$cluster" start --nodes 2 --heap "$heap" --http-port "${NODE_HTTP_PORT:-5080}" \
  --management-port "${NODE_MANAGEMENT_PORT:-9000}" --cluster-port "${NODE_CLUSTER_PORT:-5701}" --dir "$cluster_dir" \
  -- "${node_flags[@]}" --max-rooms-per-connection "$per_socket" >/dev/null

duration=$((steady + scaled + after))
echo "== fill $rooms rooms on $sockets sockets, then $duration s: node 3 added at $steady s, drained at $((steady + scaled)) s"
status=0
"$java_bin" -Xms1g -Xmx1g -jar "$root/loadtest/target/loadtest.jar" scale -t "$("$cluster" urls --dir "$cluster_dir")" \
  --cluster-dir "$cluster_dir" --cluster-script "$cluster" --events "$steady:start,$((steady + scaled)):drain" \
  --duration "$duration" --settle "$settle" --drain-timeout 60 --pairs 2 --message-rate 10 --call-rate "$call_rate" \
  --fill-rooms "$rooms" --fill-rooms-per-socket "$per_socket" --fill-in-flight "$in_flight" \
  --allow-errors -o "$out/run" >"$out/run.log" 2>&1 || status=$?
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "^fill:|scale:" "$out/run.log" || true
[ "$status" -eq 0 ] && [ -f "$out/run/result.json" ] || { echo "the harness failed (status $status); see $out/run.log" >&2; exit 1; }

jq -r --arg before "$load_before" --arg after "$load_after" '
  def r(x): if x == null or x < 0 then "-" else (x * 10 | round / 10 | tostring) end;
  def ms(x): if x == null then "-" else (x * 10 | round / 10 | tostring) end;
  .parameters.fill as $f
  | (.scaleEvents | map(select(.kind == "start"))[0]) as $up
  | (.scaleEvents | map(select(.kind == "drain"))[0]) as $down
  | "Fill: \($f.rooms) rooms on \($f.sockets) sockets, \($f.joined) joined, \($f.failed) failed in \(r($f.seconds)) s = \($f.joinsPerSecond | round) joins/s. Load average \($before) before, \($after) after.",
    "",
    "| window | seconds | node ready / exited after | cluster member-safe after | probe calls | failed | errors | pairing p50 / p99 / max ms |",
    "|---|---|---:|---:|---:|---:|---:|---|",
    (.phases[] | . as $p
      | (if $p.kind == "scale-up" then
           [r($up.readyAtSeconds - $up.beganAtSeconds) + " s (ready)",
            (if $up.memberSafeAtSeconds < 0 then "-" else r($up.memberSafeAtSeconds - $up.beganAtSeconds) + " s" end)]
         elif $p.kind == "drain" then
           [r($down.exitedAtSeconds - $down.beganAtSeconds) + " s (exited)",
            (if $down.memberSafeAtSeconds < 0 then "-" else r($down.memberSafeAtSeconds - $down.beganAtSeconds) + " s" end)]
         else ["", ""] end) as $ev
      | ($p.latencyMs.pairing // {}) as $pl
      | "| \($p.name)\(if $p.kind == "steady" then " (right after the fill)" else "" end) | \(r($p.fromSeconds))–\(r($p.toSeconds)) | \($ev[0]) | \($ev[1]) | \($p.counters["calls.started"] // 0) | \($p.counters["calls.failed"] // 0) | \([$p.errors[]] | add // 0) | \(ms($pl.p50)) / \(ms($pl.p99)) / \(ms($pl.max)) |")
' "$out/run/result.json" | tee "$out/MEMBERSHIP.md"
echo "table written to $out/MEMBERSHIP.md"
