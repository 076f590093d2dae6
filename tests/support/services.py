"""The servers some tests need, from the project's own scripts (scripts/postgres.sh, scripts/redis.sh):
each installs Debian's package if missing, starts a private server on 127.0.0.1 and prints its URL.
scripts/nginx.sh installs nginx, which the cluster's tests start themselves.

TEST_POSTGRES_URL / TEST_REDIS_URL, when set, are used instead. Where a server cannot be had, its
tests skip outside CI and fail in CI (`CI` set), as the browser tests do without Chromium.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from bot.config import PROJECT_ROOT

SERVICES = {  # name: (script, variable that overrides it, how its URL starts)
    "PostgreSQL": ("postgres.sh", "TEST_POSTGRES_URL", "postgresql"),
    "Redis": ("redis.sh", "TEST_REDIS_URL", "redis://"),
}


def unavailable(service: str, reason: str) -> None:
    """Outside CI a missing server skips the test; in CI it fails it."""
    message = f"{service} is not available: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run_script(service: str) -> subprocess.CompletedProcess:
    script = PROJECT_ROOT / "scripts" / SERVICES[service][0]
    try:
        return subprocess.run([str(script)], capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        unavailable(service, f"{script.name}: {error}")
        raise  # unreachable: unavailable() skips or fails


def service_url(service: str) -> str:
    """The variable's URL, or the one the script prints last (once the server is up)."""
    script, variable, scheme = SERVICES[service]
    if url := os.environ.get(variable):
        return url
    done = run_script(service)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith(scheme):
        unavailable(service, f"scripts/{script} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return lines[-1]


def redis_database(number: int) -> str:
    """The tests' Redis, database `number`: what a test keeps there (model channel, sending limits)
    is seen by no other test's servers."""
    return re.sub(r"/\d*$", "", service_url("Redis")) + f"/{number}"


def nginx_path() -> str:
    """Debian's nginx, installed by scripts/nginx.sh when missing (the cluster's load balancer)."""
    from bot.ops.nginx_config import nginx_binary

    script = PROJECT_ROOT / "scripts" / "nginx.sh"
    try:
        done = subprocess.run([str(script)], capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        unavailable("nginx", f"{script.name}: {error}")
    binary = nginx_binary()
    if done.returncode != 0 or binary is None:
        unavailable("nginx", f"scripts/nginx.sh exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return binary
