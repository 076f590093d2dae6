"""scripts/postgres.sh, the private PostgreSQL of the tests: from a checkout in a folder that only its
owner can enter (a `mktemp -d` folder, root's home) the server, which never runs as root, must still
find its cluster and password; a fresh clone where an earlier one stood (CI clones to the same path
every run) must reach the cluster that earlier one left."""

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
from bot.ops.launcher import free_port


def cluster_home(checkout: Path, port: int) -> Path:
    """Where the script keeps the cluster of `checkout` on `port` (see its header)."""
    if os.geteuid() != 0:
        return checkout / "var" / "postgres"
    key = hashlib.sha256(f"{checkout}:{port}".encode()).hexdigest()[:12]
    return Path(pwd.getpwnam("postgres").pw_dir) / "atencion-tests" / key


def start(script: Path, env: dict[str, str]) -> str:
    """Runs the script and returns the URL it prints, after checking that it answers."""
    started = subprocess.run(
        [str(script)], cwd=script.parent.parent, env=env, capture_output=True, text=True, timeout=180
    )
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip().splitlines()[-1]
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("select 1")).scalar_one() == 1
    finally:
        engine.dispose()
    return url


def fresh_checkout(checkout: Path) -> Path:
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / "scripts", checkout / "scripts")
    return checkout / "scripts" / "postgres.sh"


def test_the_private_postgresql_works_from_a_checkout_only_its_owner_can_enter(tmp_path: Path):
    closed = tmp_path / "solo-su-dueno"
    closed.mkdir(mode=0o700)
    checkout = closed / "checkout"
    script = fresh_checkout(checkout)
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700
    port = free_port()
    env = {**os.environ, "POSTGRES_TEST_PORT": str(port)}
    try:
        assert f"127.0.0.1:{port}" in start(script, env)
    finally:
        subprocess.run([str(script), "stop"], cwd=checkout, env=env, capture_output=True, timeout=60)
        shutil.rmtree(cluster_home(checkout, port), ignore_errors=True)


def test_a_fresh_clone_where_an_earlier_one_stood_reaches_the_cluster_it_left(tmp_path: Path):
    checkout = tmp_path / "checkout"
    port = free_port()
    env = {**os.environ, "POSTGRES_TEST_PORT": str(port)}
    script = fresh_checkout(checkout)
    try:
        first = start(script, env)
        subprocess.run([str(script), "stop"], cwd=checkout, env=env, capture_output=True, timeout=60)
        script = fresh_checkout(checkout)
        assert not (checkout / "var").exists()
        assert start(script, env) == first
    finally:
        subprocess.run([str(script), "stop"], cwd=checkout, env=env, capture_output=True, timeout=60)
        shutil.rmtree(cluster_home(checkout, port), ignore_errors=True)
