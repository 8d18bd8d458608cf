#!/usr/bin/env bash
# Local against relayed delivery: two Chorus nodes on one Redis, subscribers on node A, the publisher
# on A (local) and then on B (relayed through Redis). Usage, from the repository root after
# `mvn package`:  bench/cluster.sh   (redis-server from PATH, else REDIS_SERVER=/path/to/redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR="$PWD/target/chorus.jar"
DIR="$PWD/target/bench/cluster"; mkdir -p "$DIR"
REDIS="${REDIS_SERVER:-$(command -v redis-server || true)}"
[ -x "$REDIS" ] || { echo "no redis-server: put one on PATH or set REDIS_SERVER" >&2; exit 2; }
JAVA_OPTS="${CHORUS_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
REPORT="$DIR/../cluster-$(date +%Y%m%d-%H%M%S).txt"

"$REDIS" --port 6390 --bind 127.0.0.1 --save "" --appendonly no > "$DIR/redis.log" 2>&1 &
REDIS_PID=$!
printf 'apps:\n  - id: "1"\n    key: bench-key\n    secret: bench-secret\n    client_event_rate_limit: 0\n    max_pending_messages: 100000\n    max_message_size: 1000000\nscaling:\n  enabled: true\n  port: 6390\n' > "$DIR/bench.yaml"
PIDS=()
for port in 7101 7102; do
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" start --host 127.0.0.1 --port $port --config "$DIR/bench.yaml" > "$DIR/node-$port.log" 2>&1 &
  PIDS+=($!)
done
trap 'kill ${PIDS[*]} $REDIS_PID 2>/dev/null || true' EXIT
for port in 7101 7102; do
  for i in $(seq 100); do grep -q "listening" "$DIR/node-$port.log" && break; sleep 0.2; done
done
run() { java -jar "$JAR" bench --port 7101 --pid "${PIDS[0]}" "$@" 2>&1 | tee -a "$REPORT"; echo | tee -a "$REPORT"; }
for scenario in "--subscribers 1 --rate 10000" "--subscribers 100 --rate 100" "--subscribers 1000 --rate 100"; do
  # shellcheck disable=SC2086
  { echo "## $scenario, published on A (local)" | tee -a "$REPORT"; run $scenario --duration 10; }
  # shellcheck disable=SC2086
  { echo "## $scenario, published on B (relayed through Redis)" | tee -a "$REPORT"; run $scenario --duration 10 --publish-port 7102; }
done
echo "report: $REPORT"
