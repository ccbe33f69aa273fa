#!/usr/bin/env bash
# Starts (or stops) a local cluster of signaling nodes on this machine, each its own JVM, on loopback,
# with static discovery, and waits until every node is ready and sees every member.
#
#   loadtest/bin/local-cluster.sh start [--nodes N] [--heap SIZE] [--http-port P] [--management-port P]
#                                       [--cluster-port P] [--dir DIR] [-- extra node flags...]
#   loadtest/bin/local-cluster.sh stop  [--dir DIR]
#   loadtest/bin/local-cluster.sh urls  [--dir DIR]      # the WebSocket URLs, comma-separated
#   loadtest/bin/local-cluster.sh management [--dir DIR] # the management URLs (metrics, health), comma-separated
#   loadtest/bin/local-cluster.sh pids  [--dir DIR]      # the node pids, comma-separated
#
# Defaults: 2 nodes, heap 512m (-Xms = -Xmx), HTTP ports from 5080, management ports from 9000, Hazelcast ports from 5701,
# state in target/local-cluster (pids, logs). The harness-friendly limits below lift the per-connection
# rate limit and the per-address connection cap (every client comes from 127.0.0.x); anything after "--"
# is passed to every node and wins. JAVA (default: java on PATH), NODE_JAR, LOADTEST_JAR and
# NODE_JAVA_OPTS (extra JVM options) may be set in the environment.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
action="${1:-}"
[ -n "$action" ] && shift || true

nodes=2
heap=512m
http_port=5080
management_port=9000
cluster_port=5701
dir="$root/loadtest/target/local-cluster"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --management-port) management_port="$2"; shift 2 ;;
    --cluster-port) cluster_port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

java_bin="${JAVA:-java}"
node_jar="${NODE_JAR:-$root/signaling-node/target/signaling-node.jar}"
loadtest_jar="${LOADTEST_JAR:-$root/loadtest/target/loadtest.jar}"

urls() {
  local list=()
  for f in "$dir"/node-*.port; do
    [ -f "$f" ] || continue
    list+=("ws://127.0.0.1:$(cat "$f")/WebRTCAppEE/websocket")
  done
  (IFS=,; echo "${list[*]}")
}

management() {
  local list=()
  for f in "$dir"/node-*.mport; do
    [ -f "$f" ] || continue
    list+=("http://127.0.0.1:$(cat "$f")")
  done
  (IFS=,; echo "${list[*]}")
}

pids() {
  local list=()
  for f in "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    list+=("$(cat "$f")")
  done
  (IFS=,; echo "${list[*]}")
}

stop() {
  for f in "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    kill -TERM "$pid" 2>/dev/null || true
  done
  # a node drains on the first SIGTERM and keeps calls still in progress; after 10 s a second SIGTERM
  # ends them (their partners get stop), and after 30 s more the node is killed
  for f in "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f" "${f%.pid}.port" "${f%.pid}.mport"
  done
}

case "$action" in
  start)
    [[ "$nodes" =~ ^[1-9][0-9]?$ ]] || { echo "--nodes must be 1 to 99" >&2; exit 2; }
    [ -f "$node_jar" ] || { echo "node jar not found: $node_jar (build with: mvn -B package -DskipTests)" >&2; exit 2; }
    [ -f "$loadtest_jar" ] || { echo "harness jar not found: $loadtest_jar" >&2; exit 2; }
    mkdir -p "$dir"
    stop
    members=""
    for i in $(seq 0 $((nodes - 1))); do
      members="${members:+$members,}127.0.0.1:$((cluster_port + i))"
    done
    name="local-$$-$RANDOM"
    # the harness-friendly limits, each left out when the extra flags set it (the node refuses a flag given twice)
    limits=()
    for pair in rate-limit-per-second=1000000 rate-limit-burst=1000000 max-connections-per-address=0 \
        max-rooms-per-connection=1000; do
      flag="--${pair%%=*}"
      given=false
      for arg in "${extra[@]}"; do
        if [ "$arg" = "$flag" ] || [[ "$arg" == "$flag="* ]]; then given=true; fi
      done
      $given || limits+=("$flag" "${pair#*=}")
    done
    for i in $(seq 0 $((nodes - 1))); do
      port=$((http_port + i))
      # shellcheck disable=SC2086
      nohup "$java_bin" -Xms"$heap" -Xmx"$heap" ${NODE_JAVA_OPTS:-} -jar "$node_jar" \
        --http-host 127.0.0.1 --http-port "$port" --management-port "$((management_port + i))" \
        --cluster-name "$name" --cluster-discovery static --cluster-members "$members" \
        --cluster-port "$((cluster_port + i))" --eventbus-host 127.0.0.1 \
        "${limits[@]}" "${extra[@]}" >"$dir/node-$((i + 1)).log" 2>&1 &
      echo $! >"$dir/node-$((i + 1)).pid"
      echo "$port" >"$dir/node-$((i + 1)).port"
      echo "$((management_port + i))" >"$dir/node-$((i + 1)).mport"
    done
    if ! "$java_bin" -jar "$loadtest_jar" await --target "$(urls)" --management "$(management)" --members "$nodes" --timeout 120; then
      echo "cluster did not form; logs in $dir" >&2
      stop
      exit 1
    fi
    echo "$(urls)"
    ;;
  stop) stop ;;
  urls) urls ;;
  management) management ;;
  pids) pids ;;
  *) echo "usage: $0 start|stop|urls|management|pids [options] (see the header of this script)" >&2; exit 2 ;;
esac
