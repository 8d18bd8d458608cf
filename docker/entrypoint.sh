#!/bin/sh
# `docker run chorus --port 9000` and `docker run chorus start --port 9000` both start the server
# (options alone mean start); other commands run as given (health, restart, init, bench, --help).
# exec: java is PID 1 and gets docker stop's SIGTERM itself (clients hear 4200, the exit code is 0).
case "${1:-}" in
  ""|--*) set -- start "$@" ;;
esac
# Parallel GC: G1's concurrent refinement costs ~30 % more CPU per delivery on fan-out (README, Benchmark).
exec java -XX:+UseParallelGC -XX:MaxRAMPercentage=75 -jar /opt/chorus/chorus.jar "$@"
