#!/usr/bin/env bash
# Runs the same bench scenarios against soketi 1.6.1 and against Chorus, one after the other, on
# this machine, and writes everything to target/bench/compare-<time>.txt. Neither server runs while
# the other is measured. Usage (from the repository root, after `mvn package`):
#
#   bench/compare.sh [chorus|soketi|both]
#
# soketi 1.6.1 is installed into target/bench/soketi from an installer kit (SOKETI_KIT: a directory with
# install.sh, start.sh and stop.sh; npm registry only).
# CHORUS_JAVA_OPTS sets the Chorus server's JVM flags (default below: fixed 1 GB heap, touched up
# front so that RSS growth per connection is native memory only; heap per connection is reported
# separately after a full GC).
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH="${1:-both}"
JAR="$PWD/target/chorus.jar"
OUT="$PWD/target/bench"
mkdir -p "$OUT"
REPORT="$OUT/compare-$(date +%Y%m%d-%H%M%S).txt"
CHORUS_JAVA_OPTS="${CHORUS_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch}"
PORT_SOKETI=6001
PORT_CHORUS=7001

# Waits until the server is idle (under 10 % of a core for a second): a server still draining the
# previous scenario's backlog or closing its sockets would bill that work to the next one.
settle() {
  local before after
  for i in $(seq 120); do
    before=$(awk '{print $14+$15}' "/proc/$1/stat"); sleep 1; after=$(awk '{print $14+$15}' "/proc/$1/stat")
    [ $((after - before)) -lt 10 ] && return 0
  done
}
bench() { settle "$SERVER_PID"; java -jar "$JAR" bench "$@" 2>&1 | tee -a "$REPORT"; echo | tee -a "$REPORT"; }

# ONLY=connect|fanout|trigger runs one group of scenarios (default: all).
want() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }

scenarios() { # port pid key secret app-id
  local common=(--port "$1" --pid "$2" --key "$3" --secret "$4")
  SERVER_PID="$2"
  if want connect; then
  echo "## connect: handshakes only, then handshake + private-channel subscribe (each cold, then warm: 30,000 opened and closed first, in rounds of 10,000)" | tee -a "$REPORT"
  bench "${common[@]}" --scenario connect --subscribers 10000 --concurrency 500 --subscribe no
  bench "${common[@]}" --scenario connect --subscribers 10000 --concurrency 500 --subscribe no --warmup-connections 30000
  bench "${common[@]}" --scenario connect --subscribers 10000 --concurrency 500
  bench "${common[@]}" --scenario connect --subscribers 10000 --concurrency 500 --warmup-connections 30000
  fi
  if want fanout; then
  echo "## fan-out 1,000 x 100/s" | tee -a "$REPORT"
  bench "${common[@]}" --subscribers 1000 --rate 100 --duration 10
  bench "${common[@]}" --subscribers 1000 --rate 100 --duration 10
  echo "## fan-out 10,000 x 10/s" | tee -a "$REPORT"
  bench "${common[@]}" --subscribers 10000 --rate 10 --duration 10 --concurrency 500
  echo "## saturation: 1,000 subscribers asked for 1,000 events/s" | tee -a "$REPORT"
  bench "${common[@]}" --subscribers 1000 --rate 1000 --duration 10 --warmup 2
  fi
  if want trigger; then
  echo "## signed HTTP triggers, 4 connections" | tee -a "$REPORT"
  bench "${common[@]}" --app-id "$5" --scenario trigger --subscribers 0 --duration 10
  bench "${common[@]}" --app-id "$5" --scenario trigger --subscribers 100 --duration 10
  fi
}

{ echo "# Chorus vs soketi, $(date -u +%FT%TZ)"; echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "kernel: $(uname -r); java: $(java -version 2>&1 | head -1); node: $(node --version 2>/dev/null || echo none)"; } | tee "$REPORT"

if [ "$WHICH" != chorus ]; then
  SOKETI="$OUT/soketi"
  if [ ! -x "$SOKETI/node_modules/.bin/soketi" ]; then
    rm -rf "$SOKETI" && cp -r "${SOKETI_KIT:-../shared/peers/soketi}" "$SOKETI" && (cd "$SOKETI" && ./install.sh)
  fi
  (cd "$SOKETI" && mkdir -p run && nohup ./start.sh $PORT_SOKETI > run/$PORT_SOKETI.log 2>&1 < /dev/null &)
  for i in $(seq 100); do curl -sf "http://127.0.0.1:$PORT_SOKETI/" >/dev/null && break; sleep 0.2; done
  PID=$(pgrep -n -f soketi-server); echo "$PID" > "$SOKETI/run/$PORT_SOKETI.pid"
  echo "# soketi 1.6.1 (pid $PID)" | tee -a "$REPORT"
  scenarios $PORT_SOKETI "$PID" app-key app-secret app-id
  (cd "$SOKETI" && ./stop.sh $PORT_SOKETI) || kill "$PID"
fi

if [ "$WHICH" != soketi ]; then
  DIR="$OUT/chorus-server"; mkdir -p "$DIR"
  printf 'apps:\n  - id: "1"\n    key: bench-key\n    secret: bench-secret\n    client_event_rate_limit: 0\n    max_pending_messages: 100000\n    max_message_size: 1000000\n' > "$DIR/bench.yaml"
  # shellcheck disable=SC2086
  nohup java $CHORUS_JAVA_OPTS -jar "$JAR" start --host 127.0.0.1 --port $PORT_CHORUS --config "$DIR/bench.yaml" > "$DIR/server.log" 2>&1 < /dev/null &
  PID=$!
  for i in $(seq 100); do grep -q "listening" "$DIR/server.log" && break; sleep 0.2; done
  echo "# Chorus $(git rev-parse --short HEAD) (pid $PID, $CHORUS_JAVA_OPTS)" | tee -a "$REPORT"
  scenarios $PORT_CHORUS "$PID" bench-key bench-secret 1
  kill "$PID"; wait "$PID" 2>/dev/null || true
fi
echo "report: $REPORT"
