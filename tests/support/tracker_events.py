"""Conversations written the way the Rasa server writes them: Rasa's own SQLTrackerStore, its
`events` table, with the parse data the classifier would have produced."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor


def user(text: str, intent: str, confidence: float, topic: str | None = None, fallback: bool = False):
    from rasa.shared.core.events import UserUttered

    ranking = [{"name": intent, "confidence": confidence}]
    if fallback:
        ranking.insert(0, {"name": "nlu_fallback", "confidence": 0.45})
    parse_data = {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []}
    if topic:
        parse_data["response_selector"] = {"duda": {"response": {"intent_response_key": f"duda/{topic}"}}}
    return UserUttered(text, ranking[0], [], parse_data, input_channel="rest", message_id=uuid.uuid4().hex)


def action(name: str):
    from rasa.shared.core.events import ActionExecuted

    return ActionExecuted(name)


def bot_said(text: str):
    from rasa.shared.core.events import BotUttered

    return BotUttered(text)


def save_conversations(database_url: str, conversations: dict[str, list]) -> None:
    """Through Rasa's own SQLTrackerStore, into the `events` table the Rasa server writes (given the
    URL as endpoints.yml gives it DATABASE_URL)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(host=database_url)

    async def save_all() -> None:
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    try:
        with ThreadPoolExecutor(1) as thread:  # its own event loop, even beside Playwright's
            thread.submit(asyncio.run, save_all()).result()
    finally:
        store.engine.dispose()
