#!/usr/bin/env bash
# Prints the path of a Chromium binary, installing Debian's chromium first when there is none (the
# dashboard IT renders the page in it; CI machines start without it).
set -euo pipefail
for candidate in "$(command -v chromium 2>/dev/null || true)" /usr/bin/chromium; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "chromium is missing and installing it needs root (apt-get install chromium)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
echo /usr/bin/chromium
