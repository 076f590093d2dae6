#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (Playwright drives it; it downloads no browser).
# Outside CI, a machine where it cannot be installed (no root, no sudo) only gets a warning: the
# browser tests then skip. In CI (CI set) that is an error.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "warning: Chromium is not installed and this user cannot install it (apt-get install chromium);" \
       "the browser tests will be skipped." >&2
  [ -z "${CI:-}" ] || exit 1
  exit 0
fi
echo "installing Debian's chromium (browser tests)"
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core >/dev/null
chromium --version
