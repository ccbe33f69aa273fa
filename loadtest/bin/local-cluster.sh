#!/usr/bin/env bash
# Starts (or stops) a local cluster of signaling nodes on this machine, each its own JVM, on loopback,
# with static discovery, and waits until every node is ready and sees every member.
#
#   loadtest/bin/local-cluster.sh start [--nodes N] [--heap SIZE] [--http-port P] [--management-port P]
#                                       [--cluster-port P] [--dir DIR] [-- extra node flags...]
#   loadtest/bin/local-cluster.sh add   [--dir DIR]      # one more node into the running cluster; prints its URL
#   loadtest/bin/local-cluster.sh drain [--dir DIR] [--port P] [--wait SECONDS]
#                                       # SIGTERMs the node serving P (default: the newest), prints its pid;
#                                       # with --wait, waits until it exited (exit 1 if it had not by then)
#   loadtest/bin/local-cluster.sh stop  [--dir DIR]
#   loadtest/bin/local-cluster.sh urls  [--dir DIR]      # the WebSocket URLs, comma-separated
#   loadtest/bin/local-cluster.sh management [--dir DIR] # the management URLs (metrics, health), comma-separated
#   loadtest/bin/local-cluster.sh pids  [--dir DIR]      # the node pids, comma-separated
#
# Defaults: 2 nodes, heap 512m (-Xms = -Xmx), HTTP ports from 5080, management ports from 9000, Hazelcast ports from 5701,
# state in target/local-cluster (pids, logs). The harness-friendly limits below lift the per-connection
# rate limit and the per-address connection cap (every client comes from 127.0.0.x); anything after "--"
# is passed to every node and wins. JAVA (default: java on PATH), NODE_JAR, LOADTEST_JAR and
# NODE_JAVA_OPTS (extra JVM options) may be set in the environment. "add" starts node N+1 with the settings
# "start" used (saved in DIR/cluster.env), on the next HTTP, management and cluster ports, and waits until it is ready
# and sees every member. "drain" is a scale-down: the node stops being ready, refuses new sockets and joins,
# keeps its calls until they end and exits then; it leaves "urls" at once. While "start" and "add" wait, each node's
# progress goes to stderr as it changes: started, joined, warming n/N (its warm-up before readiness), ready.
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
drain_port=""
wait_seconds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    --management-port) management_port="$2"; shift 2 ;;
    --cluster-port) cluster_port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --port) drain_port="$2"; shift 2 ;;
    --wait) wait_seconds="$2"; shift 2 ;;
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
  for f in "$dir"/node-*.port; do
    [ -f "$f" ] || continue
    m="${f%.port}.mport"
    [ -f "$m" ] || continue
    list+=("http://127.0.0.1:$(cat "$m")")
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

# launch K MEMBERS: starts node K (1-based) in the background on the K-th ports
launch() {
  local k="$1" port=$((http_port + $1 - 1)) mport=$((management_port + $1 - 1))
  # the harness-friendly limits, each left out when the extra flags set it (the node refuses a flag given twice)
  local limits=() pair flag given arg
  for pair in rate-limit-per-second=1000000 rate-limit-burst=1000000 max-connections-per-address=0 \
      max-rooms-per-connection=1000 byte-limit-per-second=1073741824 byte-limit-burst=1073741824 \
      address-byte-limit-per-second=0; do
    flag="--${pair%%=*}"
    given=false
    for arg in "${extra[@]}"; do
      if [ "$arg" = "$flag" ] || [[ "$arg" == "$flag="* ]]; then given=true; fi
    done
    $given || limits+=("$flag" "${pair#*=}")
  done
  # shellcheck disable=SC2086
  nohup "$java_bin" -Xms"$heap" -Xmx"$heap" ${NODE_JAVA_OPTS:-} -jar "$node_jar" \
    --http-host 127.0.0.1 --http-port "$port" --management-port "$mport" \
    --cluster-name "$name" --cluster-discovery static --cluster-members "$2" \
    --cluster-port "$((cluster_port + k - 1))" --eventbus-host 127.0.0.1 \
    "${limits[@]}" "${extra[@]}" >"$dir/node-$k.log" 2>&1 &
  echo $! >"$dir/node-$k.pid"
  echo "$port" >"$dir/node-$k.port"
  echo "$mport" >"$dir/node-$k.mport"
}

# state K: where node K's start-up is, from its log, its /health/ready and its /metrics:
# started, joined, warming n/N (warm-up calls completed of those asked for), ready, or why it stopped
state() {
  local k="$1" log="$dir/node-$1.log" pid mport calls done_calls
  pid="$(cat "$dir/node-$k.pid" 2>/dev/null || true)"
  mport="$(cat "$dir/node-$k.mport" 2>/dev/null || true)"
  if [ -f "$log" ] && grep -q "cannot start" "$log"; then
    echo "failed: $(grep -m1 -o 'cannot start: .*' "$log")"
  elif [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    echo "exited (log: $log)"
  elif [ -n "$mport" ] && curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$mport/health/ready" 2>/dev/null; then
    echo "ready"
  elif [ -f "$log" ] && grep -q "serving; warming up with" "$log"; then
    calls="$(grep -m1 -o 'warming up with [0-9]*' "$log" | grep -o '[0-9]*$')"
    done_calls="$(curl -fs --max-time 2 "http://127.0.0.1:$mport/metrics" 2>/dev/null \
      | grep '^signaling_warmup_calls{outcome="completed"' | grep -o '[0-9.e+]*$' | cut -d. -f1 || true)"
    # in tenths of the calls asked for, so that a warm-up shows about ten lines
    echo "warming $(( ${done_calls:-0} * 10 / calls * calls / 10 ))/$calls"
  elif [ -f "$log" ] && grep -q "joined cluster" "$log"; then
    echo "joined ($(grep -m1 -o 'with [0-9]* member(s)' "$log"))"
  else
    echo "started"
  fi
}

# progress K...: prints each node's start-up state whenever it changes, until every one is ready or stopped
progress() {
  local -A last=()
  local k now all_done
  while true; do
    all_done=true
    for k in "$@"; do
      now="$(state "$k")"
      if [ "${last[$k]:-}" != "$now" ]; then
        echo "node $k (port $((http_port + k - 1))): $now" >&2
        last[$k]="$now"
      fi
      case "$now" in ready|failed*|exited*) ;; *) all_done=false ;; esac
    done
    $all_done && return 0
    sleep 1
  done
}

# await TARGETS MANAGEMENT MEMBERS K...: the harness's wait for readiness, with nodes K... shown as they progress
await_ready() {
  local targets="$1" managements="$2" members="$3" watcher status=0
  shift 3
  progress "$@" &
  watcher=$!
  "$java_bin" -jar "$loadtest_jar" await --target "$targets" --management "$managements" --members "$members" \
    --timeout 300 >&2 || status=$?
  if [ "$status" -eq 0 ]; then
    # every node is ready: the watcher ends once it has shown each one ready (on a busy machine its last poll may
    # lag the harness's by seconds); at most 30 s
    for _ in $(seq 1 300); do
      kill -0 "$watcher" 2>/dev/null || break
      sleep 0.1
    done
  fi
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  return "$status"
}

# the number of the newest node with a pid file (0: none)
newest() {
  local n=0 k
  for f in "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    k="${f##*/node-}"; k="${k%.pid}"
    [ "$k" -gt "$n" ] && n="$k"
  done
  echo "$n"
}

case "$action" in
  add)
    [ -f "$dir/cluster.env" ] || { echo "no cluster started in $dir" >&2; exit 2; }
    # shellcheck disable=SC1091
    . "$dir/cluster.env"
    k=$(($(newest) + 1))
    members=""
    for i in $(seq 1 "$k"); do
      members="${members:+$members,}127.0.0.1:$((cluster_port + i - 1))"
    done
    launch "$k" "$members"
    running=0
    for f in "$dir"/node-*.port; do [ -f "$f" ] && running=$((running + 1)); done
    url="ws://127.0.0.1:$(cat "$dir/node-$k.port")/WebRTCAppEE/websocket"
    murl="http://127.0.0.1:$(cat "$dir/node-$k.mport")"
    if ! await_ready "$url" "$murl" "$running" "$k"; then
      echo "node $k did not join; log in $dir/node-$k.log" >&2
      exit 1
    fi
    echo "$url"
    ;;
  drain)
    k=""
    for f in "$dir"/node-*.port; do
      [ -f "$f" ] || continue
      if [ -z "$drain_port" ] || [ "$(cat "$f")" = "$drain_port" ]; then
        n="${f##*/node-}"; n="${n%.port}"
        if [ -z "$k" ] || [ "$n" -gt "$k" ]; then k="$n"; fi
      fi
    done
    [ -n "$k" ] || { echo "no running node${drain_port:+ on port $drain_port} in $dir" >&2; exit 2; }
    pid="$(cat "$dir/node-$k.pid")"
    rm -f "$dir/node-$k.port"
    kill -TERM "$pid"
    echo "$pid"
    if [ -n "$wait_seconds" ]; then
      [[ "$wait_seconds" =~ ^[0-9]+$ ]] || { echo "--wait must be whole seconds" >&2; exit 2; }
      for _ in $(seq 1 $((wait_seconds * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "node $k (pid $pid) still draining after $wait_seconds s" >&2
        exit 1
      fi
      rm -f "$dir/node-$k.pid" "$dir/node-$k.mport"
      echo "exited"
    fi
    ;;
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
    {
      printf 'name=%q\nheap=%q\nhttp_port=%q\nmanagement_port=%q\ncluster_port=%q\nnodes=%q\n' "$name" "$heap" \
        "$http_port" "$management_port" "$cluster_port" "$nodes"
      printf 'extra=('; [ ${#extra[@]} -eq 0 ] || printf '%q ' "${extra[@]}"; printf ')\n'
    } >"$dir/cluster.env"
    for i in $(seq 1 "$nodes"); do
      launch "$i" "$members"
    done
    if ! await_ready "$(urls)" "$(management)" "$nodes" $(seq 1 "$nodes"); then
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
  *) echo "usage: $0 start|add|drain|stop|urls|management|pids [options] (see the header of this script)" >&2; exit 2 ;;
esac
