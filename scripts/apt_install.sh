#!/usr/bin/env bash
# Debian packages for the project's scripts (postgres.sh, redis.sh, nginx.sh, install_chromium.sh):
# installed as root, or with sudo when it asks no password.
#   scripts/apt_install.sh NAME CONSEQUENCE PACKAGE...
#     NAME         what the packages are, in messages ("PostgreSQL")
#     CONSEQUENCE  what happens without them ("the PostgreSQL tests will be skipped")
# Exit status: 0 installed; 2 this user cannot install them (no root, no sudo) and CI is not set:
# only a warning was printed, the caller carries on without; 1 otherwise (in CI, where that is an
# error, or apt-get failed). apt-get writes to stderr: the callers' stdout is theirs (URLs).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 NAME CONSEQUENCE PACKAGE..." >&2; exit 1; }
name=$1 consequence=$2
shift 2

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "warning: $name is not installed and this user cannot install it (apt-get install $*);" \
       "$consequence." >&2
  [ -z "${CI:-}" ] || exit 1
  exit 2
fi
echo "installing Debian's $* ($name)" >&2
"${run[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2
