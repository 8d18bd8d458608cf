#!/usr/bin/env bash
# Prints the path of an nginx binary, installing Debian's nginx first when there is none (the nginx
# integration test needs a real one; CI machines start without it).
set -euo pipefail
for candidate in "$(command -v nginx 2>/dev/null || true)" /usr/sbin/nginx; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "nginx is missing and installing it needs root (apt-get install nginx)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends nginx-light >&2 || apt-get install -y -qq --no-install-recommends nginx >&2
# The package starts a system nginx on port 80; the test runs its own.
(service nginx stop || true) >/dev/null 2>&1
echo /usr/sbin/nginx
