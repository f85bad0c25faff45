#!/usr/bin/env bash
# Make sure a local Redis answers on 127.0.0.1:6379, then print its REDIS_URL. Installs Redis
# from Debian when missing (as root). Exits non-zero, saying why, when it cannot.
# It is a cache only (rendered columns, suggestion indexes, sessions written through to the
# database), so it keeps nothing on disk, and drops the least recently used keys when full.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PORT=6379
URL=redis://127.0.0.1:$PORT/0

answers() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "Redis is not installed and we are not root: sudo apt-get install redis-server" >&2
    exit 1
  fi
  echo "Installing Redis from Debian" >&2
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

if ! answers; then
  folder=${TMPDIR:-/tmp}/close-reader-redis-$(id -u)
  mkdir -p "$folder"
  # Not Debian's service (no systemd in containers, and its config saves to disk): a daemon of
  # our own, as whoever runs this.
  redis-server --bind 127.0.0.1 --port "$PORT" --protected-mode yes --daemonize yes \
    --save "" --appendonly no --dir "$folder" --logfile "$folder/redis.log" \
    --pidfile "$folder/redis.pid" --maxmemory 256mb --maxmemory-policy allkeys-lru >&2
  for _ in $(seq 1 50); do answers && break; sleep 0.1; done
  answers || { echo "Redis did not start on 127.0.0.1:$PORT (see $folder/redis.log)" >&2; exit 1; }
fi
echo "$URL"
