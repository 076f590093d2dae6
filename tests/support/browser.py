"""Debian's Chromium, driven by Playwright (`executable_path`: no browser is downloaded)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.services import unavailable

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=es-ES",
]


def chromium_path() -> str:
    """Debian's chromium; outside CI its absence skips the test, in CI it fails it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Chromium", "Debian's chromium is not installed: run scripts/install_chromium.sh")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
