#!/usr/bin/env bash
# A private Redis for the tests (Debian's redis-server; daemonized, 127.0.0.1 only, files in var/redis).
#   scripts/redis.sh        install if missing, start it if needed; the last line on stdout is its URL
#   scripts/redis.sh stop   stop it
# Outside CI, a machine where Redis cannot be installed (no root, no sudo) only gets a warning and
# no URL: the Redis tests then skip. In CI (CI set) that is an error.
# REDIS_TEST_PORT changes the port (56379).
set -euo pipefail
cd "$(dirname "$0")/.."
base="$PWD/var/redis"
port="${REDIS_TEST_PORT:-56379}"
url="redis://127.0.0.1:$port/0"

up() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }

if [ "${1:-}" = stop ]; then
  if up; then
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  fi
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1; then
  # Status 2: cannot install here, outside CI (warned): no URL, the Redis tests skip.
  scripts/apt_install.sh Redis "the Redis tests will be skipped" redis-server \
    || { [ $? -eq 2 ] && exit 0; exit 1; }
fi

if ! up; then
  mkdir -p "$base"
  # For tests: nothing persisted, loopback only.
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --daemonize yes \
    --dir "$base" --pidfile "$base/redis.pid" --logfile "$base/redis.log" --save '' --appendonly no
  for _ in $(seq 50); do
    up && break
    sleep 0.1
  done
  up || { echo "error: Redis did not start; see $base/redis.log" >&2; tail -n 20 "$base/redis.log" >&2; exit 1; }
fi
echo "$url"
