"""The layers of pyproject.toml hold, and a broken one is caught (import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120
    )


def test_every_contract_of_the_house_is_kept():
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_channel_imported_from_the_agents_desk_breaks_the_layers(tmp_path):
    for folder in ("bot", "actions"):
        shutil.copytree(
            PROJECT_ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "bot" / "desk" / "relay.py").open("a") as relay:
        relay.write("\nfrom bot.telegram.processing import UpdateProcessor  # noqa: E402\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "bot.desk.relay -> bot.telegram.processing" in result.stdout
    assert "No import cycles, between modules or between packages BROKEN" in result.stdout
