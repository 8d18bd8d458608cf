#!/usr/bin/env bash
# Makes a Docker engine answer `docker info`, then prints the compose command to use ("docker compose"
# or "docker-compose"). CI machines start with only a Docker client: Debian's docker.io brings the
# engine (started here in the background when none runs), docker-compose the compose command when the
# client has no compose plugin, and debootstrap the base-image stand-ins (scripts/docker-base-images.sh).
# Fails with one line on stderr when none of that is possible.
set -euo pipefail
log=${CHORUS_DOCKERD_LOG:-/var/log/chorus-dockerd.log}

fail() { echo "ensure-docker: $*" >&2; exit 1; }

have_compose() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"; return 0; fi
  if command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1; then echo "docker-compose"; return 0; fi
  return 1
}

missing=()
command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
have_compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "${missing[*]} missing and installing needs root (apt-get install ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" iptables ca-certificates >&2 \
    || fail "apt-get install ${missing[*]} failed"
fi

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and starting dockerd needs root"
  command -v dockerd >/dev/null 2>&1 || fail "dockerd is not installed (apt-get install docker.io)"
  # A stale pid file from an engine that died with its machine stops a new one from starting.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    # Its own session, so it outlives this script; containerd is started by dockerd itself.
    setsid nohup dockerd >>"$log" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || fail "dockerd did not answer within 60 s: $(tail -n 1 "$log" 2>/dev/null | cut -c1-300) (log: $log)"
fi

have_compose || fail "neither 'docker compose' nor 'docker-compose' works"
