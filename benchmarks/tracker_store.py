"""Rasa's SQL tracker store, one turn at a time: read a conversation, add a turn's events, save it
(what the Rasa server does around every message): as Rasa ships it, with the event-class table of
bot/ops/event_types.py, and ours (bot/store/tracker_store.py), alternating in the same run on the
same database.

`python -m benchmarks.tracker_store` prints the table; `--write` also puts it in benchmarks/results.md
(as `make bench`, or `python -m benchmarks.run --suite tracker`, does).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from benchmarks.results_file import section_main
from benchmarks.stats import percentile
from bot.ops import event_types
from bot.store.tracker_store import ReconnectingSQLTrackerStore

HEADING = "## Tracker store: a turn's read and save"
PROJECT = Path(__file__).resolve().parents[1]
TURNS_PER_CONVERSATION = 8
CONVERSATIONS_PER_ROUND = 40
ROUNDS = 3
INTENTS = [
    "duda",
    "queja",
    "solicitud",
    "saludo",
    "afirmar",
    "negar",
    "agradecer",
    "despedida",
    "pedir_humano",
]


def turn_events(turn: int) -> list[Event]:
    """A turn as the assistant stores it: the parsed message, the action, its slots, the reply."""
    text = f"cuanto tarda un envio a valencia? ({turn})"
    ranking = [{"name": name, "confidence": 1 / (rank + 2)} for rank, name in enumerate(INTENTS)]
    parse_data = {
        "text": text,
        "intent": ranking[0],
        "intent_ranking": ranking,
        "entities": [{"entity": "numero_pedido", "value": "PED-1234567", "start": 0, "end": 11}],
        "response_selector": {
            "duda": {"response": {"intent_response_key": "duda/envios", "confidence": 0.9}}
        },
    }
    buttons = [{"title": title, "payload": f"/{title.lower()}"} for title in ("Sí", "No")]
    return [
        UserUttered(text, ranking[0], parse_data["entities"], parse_data),
        ActionExecuted("action_responder_duda"),
        SlotSet("caso_numero", f"D-2026-{turn:06d}"),
        BotUttered("Envío estándar a España peninsular: 2–4 días laborables…", {"buttons": buttons}),
        BotUttered("¿Resolví tu duda?", {"buttons": buttons}),
        ActionExecuted("action_listen"),
    ]


async def one_conversation(store: SQLTrackerStore, sender: str, domain: Domain) -> list[float]:
    took = []
    for turn in range(TURNS_PER_CONVERSATION):
        started = time.perf_counter()
        tracker = await store.retrieve(sender)
        if tracker is None:
            opening = [
                ActionExecuted("action_session_start"),
                SessionStarted(),
                ActionExecuted("action_listen"),
            ]
            tracker = DialogueStateTracker.from_events(sender, opening, domain.slots)
        for event in turn_events(turn):
            tracker.update(event)
        await store.save(tracker)
        took.append(time.perf_counter() - started)
    return took


RASA_AS_SHIPPED = "Rasa's SQLTrackerStore"
WITH_TABLE = "with event classes from a table"
OURS = "ours: table, pooled connections, stored count kept, one INSERT a save, JSON column read"


async def measure(database: Path) -> dict[str, list[float]]:
    domain = Domain.load(PROJECT / "domain.yml")
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(database))
    ours = ReconnectingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(database))
    rasa_lookup = Event.__dict__["resolve_by_type"]
    table = staticmethod(event_types.resolve_by_type)
    arms = {RASA_AS_SHIPPED: (rasas, rasa_lookup), WITH_TABLE: (rasas, table), OURS: (ours, table)}
    times: dict[str, list[float]] = {label: [] for label in arms}
    try:
        for round_ in range(ROUNDS):
            for label, (store, lookup) in arms.items():
                Event.resolve_by_type = lookup
                for chat in range(CONVERSATIONS_PER_ROUND):
                    times[label] += await one_conversation(store, f"{label[:4]}-{round_}-{chat}", domain)
    finally:
        Event.resolve_by_type = rasa_lookup
    return times


def report(times: dict[str, list[float]]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    reference = sum(times[RASA_AS_SHIPPED]) / len(times[RASA_AS_SHIPPED])
    lines = [
        HEADING,
        "",
        f"Measured {when} by `python -m benchmarks.tracker_store`: on one SQLite file, Rasa's "
        "SQLTrackerStore as shipped, the same with event classes looked up in a table "
        "(bot/ops/event_types.py), and ours (bot/store/tracker_store.py: the table, pooled SQLite "
        "connections, no count of the stored events on each save, a save's events in one INSERT, "
        "only their JSON column read back), "
        f"{ROUNDS} rounds of {CONVERSATIONS_PER_ROUND} conversations of {TURNS_PER_CONVERSATION} turns "
        "(6 events each, as a duda's turn stores them) each, "
        "alternating. A turn: read the conversation, add the turn's events, save it.",
        "",
        "| tracker store | turns | mean ms per turn | p50 | p95 | mean vs Rasa's |",
        "|---|---|---|---|---|---|",
    ]
    for label, took in times.items():
        mean = sum(took) / len(took)
        lines.append(
            f"| {label} | {len(took)} | {mean * 1000:.2f} | {percentile(took, 0.5) * 1000:.2f} | "
            f"{percentile(took, 0.95) * 1000:.2f} | {mean / reference:.2f}× |"
        )
    return "\n".join(lines) + "\n"


def run() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        return report(asyncio.run(measure(Path(scratch) / "trackers.db")))


def main() -> None:
    section_main(HEADING, run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
