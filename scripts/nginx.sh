#!/usr/bin/env bash
# Debian's nginx, the load balancer of `make cluster` (bot/ops/cluster.py runs it in the foreground with
# a configuration of its own under var/cluster). The system service the package sets up is disabled
# and stopped: this project never uses it, and it would take port 80.
#   scripts/nginx.sh   install it if missing; nothing is printed when it is there
# Outside CI, a machine where nginx cannot be installed (no root, no sudo) only gets a warning: the
# cluster tests then skip. In CI (CI set) that is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
# Status 2: cannot install here, outside CI (warned): carry on without.
scripts/apt_install.sh nginx "make cluster cannot run and its tests will be skipped" nginx \
  || { [ $? -eq 2 ] && exit 0; exit 1; }

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo -n)  # apt_install.sh could install: sudo works
if command -v systemctl >/dev/null 2>&1; then
  "${as_root[@]}" systemctl disable nginx >/dev/null 2>&1 || true
else
  "${as_root[@]}" update-rc.d nginx disable >/dev/null 2>&1 || true
fi
# Stopped if the package started it; nothing to do if it did not (a policy-rc.d, no init system).
"${as_root[@]}" service nginx stop >/dev/null 2>&1 || "${as_root[@]}" /usr/sbin/nginx -s stop >/dev/null 2>&1 || true
/usr/sbin/nginx -v
