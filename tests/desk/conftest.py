"""The agents' desk end to end: every test of this folder talks to one running assistant per
file, with an agents' forum group on the fake Bot API."""

from __future__ import annotations

import pytest

from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_assistant import TelegramAssistant


@pytest.fixture(scope="module")
def assistant(agents_assistant: TelegramAssistant) -> TelegramAssistant:
    return agents_assistant


@pytest.fixture(scope="module")
def fake(forum_api: FakeBotApi) -> FakeBotApi:
    return forum_api
