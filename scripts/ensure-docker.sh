#!/usr/bin/env bash
# Makes a Docker engine answer `docker info`, then prints the compose command to use ("docker compose"
# or "docker-compose"). CI machines start with only a Docker client: Debian's docker.io brings the
# engine (started here in the background when none runs, containerd first), docker-compose the compose command when the
# client has no compose plugin, and debootstrap the base-image stand-ins (scripts/docker-base-images.sh).
# Fails with one line on stderr when none of that is possible.
set -euo pipefail
log=${CHORUS_DOCKERD_LOG:-/var/log/chorus-dockerd.log}
containerd_log=${CHORUS_CONTAINERD_LOG:-/var/log/chorus-containerd.log}
containerd_sock=/run/containerd/containerd.sock

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

containerd_answers() { ctr --address "$containerd_sock" version >/dev/null 2>&1; }

# A pid file left by an engine that died with its machine stops a new one from starting (dockerd then
# waits for a containerd that is not there).
clean_stale_pid_files() {
  local file
  for file in /var/run/docker.pid /var/run/docker/containerd/containerd.pid /run/containerd/containerd.pid; do
    if [ -f "$file" ] && ! kill -0 "$(cat "$file" 2>/dev/null)" 2>/dev/null; then rm -f "$file"; fi
  done
}

# dockerd gives a containerd it starts itself 15 s to answer and then exits ("timeout waiting for
# containerd to start"), which a loaded two-core machine can miss on a first start. So containerd runs
# on its own and dockerd is started only once it answers, pointed at its socket.
start_engine() {
  clean_stale_pid_files
  local args=()
  if command -v containerd >/dev/null 2>&1 && command -v ctr >/dev/null 2>&1; then
    if ! containerd_answers; then
      if ! pgrep -x containerd >/dev/null 2>&1; then
        TMPDIR=/tmp setsid nohup containerd >>"$containerd_log" 2>&1 </dev/null &
      fi
      for _ in $(seq 1 240); do containerd_answers && break; sleep 0.5; done
      containerd_answers || fail "containerd did not answer within 120 s: $(tail -n 1 "$containerd_log" 2>/dev/null | cut -c1-300) (log: $containerd_log)"
    fi
    args+=(--containerd="$containerd_sock")
  fi
  # Its own session, so it outlives this script; and /tmp, not the TMPDIR of whatever started it (the test
  # suite's is under target/, gone with the next clean, and runc keeps its exec files there).
  TMPDIR=/tmp setsid nohup dockerd "${args[@]}" >>"$log" 2>&1 </dev/null &
}

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and starting dockerd needs root"
  command -v dockerd >/dev/null 2>&1 || fail "dockerd is not installed (apt-get install docker.io)"
  # Three tries of 60 s: an engine that exits while starting is started again rather than waited for.
  for attempt in 1 2 3; do
    pgrep -x dockerd >/dev/null 2>&1 || start_engine
    for _ in $(seq 1 120); do
      docker info >/dev/null 2>&1 && break 2
      pgrep -x dockerd >/dev/null 2>&1 || { echo "ensure-docker: dockerd exited while starting (try $attempt): $(tail -n 1 "$log" 2>/dev/null | cut -c1-300)" >&2; break; }
      sleep 0.5
    done
  done
  docker info >/dev/null 2>&1 || fail "dockerd did not answer in three tries: $(tail -n 1 "$log" 2>/dev/null | cut -c1-300) (log: $log)"
fi

have_compose || fail "neither 'docker compose' nor 'docker-compose' works"
