"""Secrets a local install makes for itself when none is configured: generated once, kept in a
file under var/ that only its owner can read, never printed or logged."""

from __future__ import annotations

import secrets
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings

RASA_API_TOKEN_FILE = PROJECT_ROOT / "var" / "rasa_api_token"


def kept_secret(path: Path, length: int = 24) -> str:
    """The secret in `path`, made the first time it is asked for."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(length) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def rasa_api_token(settings: Settings, kept: Path = RASA_API_TOKEN_FILE) -> str:
    """RASA_API_TOKEN, or the one this install generated: what the Rasa server's HTTP API
    (model reloads) asks for."""
    return settings.rasa_api_token or kept_secret(kept)
