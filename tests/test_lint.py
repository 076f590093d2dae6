"""`make lint`'s ruff, in the test suite: the code stays as the style guide has it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

RUFF = Path(sys.executable).with_name("ruff")
CHECKED = ["bot", "actions", "tests", "benchmarks"]


def ruff(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RUFF), *arguments, *CHECKED], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )


def test_ruff_finds_nothing_to_fix():
    result = ruff("check", "--no-cache")
    assert result.returncode == 0, result.stdout


def test_the_code_is_formatted():
    result = ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout
