#!/usr/bin/env bash
# Local stand-ins for the public base images docker/Dockerfile and docker/compose.yaml name, for
# machines whose Docker engine reaches no image registry (but does reach Debian's packages, Maven
# Central and npm). An image already present, or one the registry gives, is left alone; otherwise a
# Debian bookworm made with debootstrap is imported and tagged with the real name:
#   maven:3.9-eclipse-temurin-17  JDK 17 + Maven (Debian's 3.8), JAVA_HOME=/opt/java/openjdk
#   eclipse-temurin:17-jre        JRE 17, JAVA_HOME=/opt/java/openjdk, no curl (like the real one)
#   redis:7-alpine                Debian's redis-server (7.0)
#   nginx:1.27-alpine             Debian's nginx (1.22)
# The stand-ins carry this machine's apt sources and CA certificates: where registries are reached
# through a TLS-intercepting proxy, apt, Maven and npm inside the images trust it as the host does.
# The debootstrap tarball is cached (CHORUS_DOCKER_CACHE), so a second run takes seconds.
# Usage: docker-base-images.sh [--force] (--force rebuilds stand-ins even when the images exist).
set -euo pipefail
cache=${CHORUS_DOCKER_CACHE:-/var/cache/chorus-docker}
base=chorus-standin/debian:bookworm
force=false
[ "${1:-}" = --force ] && force=true

fail() { echo "docker-base-images: $*" >&2; exit 1; }
note() { echo "docker-base-images: $*" >&2; }

docker info >/dev/null 2>&1 || fail "no Docker engine answers (run scripts/ensure-docker.sh first)"

declare -A wanted=(
  [maven:3.9-eclipse-temurin-17]=build
  [eclipse-temurin:17-jre]=jre
  [redis:7-alpine]=redis
  [nginx:1.27-alpine]=nginx
)

present() { docker image inspect "$1" >/dev/null 2>&1; }

# The registry is asked once: where it answers, the real images are used. A closed network says no at
# once; the deadline only bounds a registry that hangs (a real pull of the build image takes minutes).
todo=()
for image in "${!wanted[@]}"; do
  if ! $force && present "$image"; then continue; fi
  todo+=("$image")
done
[ ${#todo[@]} -eq 0 ] && exit 0
if ! $force && timeout 300 docker pull -q "${todo[0]}" >/dev/null 2>&1; then
  for image in "${todo[@]:1}"; do docker pull -q "$image" >/dev/null || fail "docker pull $image failed"; done
  exit 0
fi
note "no registry: building local stand-ins for ${todo[*]}"

mirror_from_host() {
  local uri
  uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1 | awk '{print $2}')
  echo "${uri:-http://deb.debian.org/debian}"
}

rootfs_tar=$cache/bookworm-minbase.tar
if [ ! -s "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap missing (scripts/ensure-docker.sh installs it)"
  [ "$(id -u)" = 0 ] || fail "debootstrap needs root"
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mirror=$(mirror_from_host)
  note "debootstrap bookworm from $mirror (a few minutes, once)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$work/root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || fail "debootstrap failed: $(tail -n 1 "$cache/debootstrap.log") (log: $cache/debootstrap.log)"
  # This machine's apt sources and its network settings for apt (validity checks, proxies).
  rm -f "$work/root/etc/apt/sources.list"
  cp -a /etc/apt/sources.list "$work/root/etc/apt/" 2>/dev/null || true
  mkdir -p "$work/root/etc/apt/sources.list.d"
  find /etc/apt/sources.list.d -maxdepth 1 \( -name '*.list' -o -name '*.sources' \) -exec cp -a {} "$work/root/etc/apt/sources.list.d/" \;
  grep -lE 'Acquire|[Pp]roxy' /etc/apt/apt.conf.d/* 2>/dev/null | xargs -r cp -a -t "$work/root/etc/apt/apt.conf.d/"
  cp -a /usr/share/keyrings/. "$work/root/usr/share/keyrings/"
  # The host's trust: its own CAs (a TLS-intercepting egress proxy's among them) and its bundle.
  cp -a /usr/local/share/ca-certificates/. "$work/root/usr/local/share/ca-certificates/" 2>/dev/null || true
  # TMPDIR is the caller's (the test suite sets one under target/): a path that does not exist in the rootfs.
  env TMPDIR=/tmp chroot "$work/root" update-ca-certificates >"$cache/update-ca-certificates.log" 2>&1 \
    || fail "update-ca-certificates failed in the rootfs: $(tail -n 1 "$cache/update-ca-certificates.log")"
  [ -s /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$work/root/etc/ssl/certs/ca-certificates.crt"
  # No package lists kept (the images update them first). /usr/share/man stays: JDK packages link into it.
  rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin
  tar -C "$work/root" --numeric-owner -cf "$rootfs_tar.tmp" . || fail "cannot write $rootfs_tar"
  mv "$rootfs_tar.tmp" "$rootfs_tar"
fi

if $force || ! present "$base"; then
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    "$rootfs_tar" "$base" >/dev/null || fail "docker import of $rootfs_tar failed"
fi

# Each stand-in: the base plus Debian's packages, with the real image's environment and command.
dockerfile() {
  local apt='RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends'
  local clean='&& rm -rf /var/lib/apt/lists/*'
  local java='ln -s "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" /opt/java/openjdk'
  echo "FROM $base"
  case $1 in
    build)
      echo "$apt openjdk-17-jdk-headless maven $clean && mkdir -p /opt/java && $java"
      echo 'ENV JAVA_HOME=/opt/java/openjdk MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2'
      # Debian's nodejs, installed by Dockerfiles on top, then trusts the same CAs as the rest.
      echo 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt'
      echo 'CMD ["mvn"]' ;;
    jre)
      echo "$apt openjdk-17-jre-headless $clean && mkdir -p /opt/java && $java"
      echo 'ENV JAVA_HOME=/opt/java/openjdk'
      echo 'CMD ["jshell"]' ;;
    redis)
      echo "$apt redis-server $clean && mkdir -p /data"
      echo 'WORKDIR /data'
      echo 'EXPOSE 6379'
      # The official image answers other containers without a password (protected mode off).
      echo 'CMD ["redis-server", "--protected-mode", "no"]' ;;
    nginx)
      echo "$apt nginx $clean && rm -f /etc/nginx/sites-enabled/default"
      echo 'RUN ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log'
      echo 'EXPOSE 80'
      echo 'STOPSIGNAL SIGQUIT'
      echo 'CMD ["nginx", "-g", "daemon off;"]' ;;
  esac
}

for image in "${todo[@]}"; do
  note "building $image (stand-in)"
  dockerfile "${wanted[$image]}" | DOCKER_BUILDKIT=0 docker build --force-rm -q -t "$image" - >"$cache/build-${wanted[$image]}.log" 2>&1 \
    || fail "building the $image stand-in failed: $(tail -n 1 "$cache/build-${wanted[$image]}.log") (log: $cache/build-${wanted[$image]}.log)"
done
