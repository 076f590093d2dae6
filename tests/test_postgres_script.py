"""scripts/postgres.sh, the private PostgreSQL of the tests, from a checkout in a folder that only its
owner can enter (a `mktemp -d` folder, root's home): the server, which never runs as root, must
still find its cluster and password."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.config import PROJECT_ROOT
from bot.launcher import free_port


def cluster_home(checkout: Path, port: int) -> Path:
    """Where the script keeps the cluster of `checkout` on `port` (see its header)."""
    if os.geteuid() != 0:
        return checkout / "var" / "postgres"
    key = hashlib.sha256(f"{checkout}:{port}".encode()).hexdigest()[:12]
    return Path(pwd.getpwnam("postgres").pw_dir) / "atencion-tests" / key


def test_the_private_postgresql_works_from_a_checkout_only_its_owner_can_enter(tmp_path: Path):
    closed = tmp_path / "solo-su-dueno"
    closed.mkdir(mode=0o700)
    checkout = closed / "checkout"
    shutil.copytree(PROJECT_ROOT / "scripts", checkout / "scripts")
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700
    port = free_port()
    env = {**os.environ, "POSTGRES_TEST_PORT": str(port)}
    script = checkout / "scripts" / "postgres.sh"
    try:
        started = subprocess.run(
            [str(script)], cwd=checkout, env=env, capture_output=True, text=True, timeout=180
        )
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip().splitlines()[-1]
        assert f"127.0.0.1:{port}" in url
        engine = create_engine(url, future=True)
        try:
            with engine.connect() as connection:
                assert connection.execute(text("select 1")).scalar_one() == 1
        finally:
            engine.dispose()
    finally:
        subprocess.run([str(script), "stop"], cwd=checkout, env=env, capture_output=True, timeout=60)
        shutil.rmtree(cluster_home(checkout, port), ignore_errors=True)
