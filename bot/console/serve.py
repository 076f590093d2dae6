"""`python -m bot console`: the supervisors' console on CONSOLE_PORT, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging

from bot.config import PROJECT_ROOT, get_settings
from bot.console.app import build_app
from bot.console.auth import console_credentials
from bot.store.db import create_reading_engine, get_session_factory
from bot.store.migrate import migrate

logger = logging.getLogger(__name__)

GENERATED_PASSWORD = PROJECT_ROOT / "var" / "console_password"


def serve() -> None:
    settings = get_settings()
    migrate()
    credentials, generated = console_credentials(
        settings.console_user, settings.console_password, GENERATED_PASSWORD
    )
    tracker = create_reading_engine(settings.database_url)  # Rasa's tracker store shares the database
    app = build_app(
        credentials,
        get_session_factory(),
        settings.timezone,
        tracker,
        secure_cookie=settings.console_secure_cookie,
    )
    where = f"the password in {GENERATED_PASSWORD}" if generated else "the password in CONSOLE_PASSWORD"
    logger.info("console at %s: user %r, %s", settings.console_url, credentials.user, where)
    app.run(host=settings.bind_host, port=settings.console_port, access_log=False, motd=False)
