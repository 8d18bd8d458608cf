#!/bin/sh
# The image's HEALTHCHECK: asks the /up URL the running server wrote to $CHORUS_HEALTH_FILE once it
# answered (as it bound it: flags, environment, config file, route prefix, TLS). curl, not a second
# JVM every interval; -k because a loopback call has nothing to verify and the certificate names
# the public host, not 127.0.0.1. Prints why it failed (docker inspect shows it).
file=${CHORUS_HEALTH_FILE:-/tmp/chorus-health}
if [ ! -s "$file" ]; then
  echo "not listening yet: $file not written (the server writes it once it answers)"
  exit 1
fi
url=$(head -n 1 "$file")
if answer=$(curl -fsSk --max-time 4 "$url" 2>&1); then
  echo "$url $answer"
  exit 0
fi
echo "$url: ${answer#curl: }"
exit 1
