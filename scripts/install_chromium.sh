#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (Playwright drives it; it downloads no browser).
# Outside CI, a machine where it cannot be installed (no root, no sudo) only gets a warning: the
# browser tests then skip. In CI (CI set) that is an error.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
# Status 2: cannot install here, outside CI (warned): the browser tests skip.
"$(dirname "$0")/apt_install.sh" Chromium "the browser tests will be skipped" chromium fonts-dejavu-core \
  || { [ $? -eq 2 ] && exit 0; exit 1; }
chromium --version
