#!/usr/bin/env bash
# One load worker against N at the same total offered rate, against the same running cluster: where one
# worker stops being enough. Runs `pairs` with --workers 1 and then --workers N (each after a warm-up whose
# figures are discarded) and writes SUMMARY.md: achieved rate, the workers' send lag, pairing and relay p99.
#
#   loadtest/bin/local-cluster.sh start --nodes 2
#   loadtest/bin/bench-workers.sh [--rate R] [--duration S] [--hold MS] [--workers N] [--warmup S] [--out DIR]
#
# The cluster's URLs come from `local-cluster.sh urls` (its --dir: LOCAL_CLUSTER_DIR, default
# loadtest/target/local-cluster). JAVA and LOADTEST_JAR as for local-cluster.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
java="${JAVA:-java}"
jar="${LOADTEST_JAR:-$root/loadtest/target/loadtest.jar}"
rate=60; duration=30; hold=1000; workers=4; warmup=10
out="loadtest-results/workers-$(date -u +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
urls="$(bash "$root/loadtest/bin/local-cluster.sh" urls --dir "${LOCAL_CLUSTER_DIR:-$root/loadtest/target/local-cluster}")"
mkdir -p "$out"
for n in 1 "$workers"; do
  echo "== $n worker(s), pairs at $rate/s for $duration s"
  "$java" -jar "$jar" pairs -t "$urls" --rate "$rate" --duration "$duration" --hold "$hold" --warmup "$warmup" \
    --workers "$n" --allow-errors -o "$out/$n-workers-pairs" | grep -E '^(ran|workers|  [0-9]|load generator|WARNING|FAILED|PASSED)' || true
done
"$java" -jar "$jar" summarize "$out" --write
