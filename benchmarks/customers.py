"""Customers on Telegram, for the scale-out benchmark: each posts the lines of a script to the
webhook, waits until the fake Bot API has received the bot's replies, thinks, and goes on.

The bot's messages are told apart: answers, and the apologies our channel sends when a turn
fails (a turn that ends in an apology is answered, but not as the customer asked).
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import time
from collections.abc import Sequence

import httpx
import yaml

from bot.config import PROJECT_ROOT
from bot.telegram_api.config import SECRET_HEADER
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import Call, FakeBotApi
from tests.support.telegram_assistant import SECRET

SCRIPT = ("hola", "cuanto tarda un envio a valencia?", "sí") * 2  # a level says the first lines
THINK_SECONDS = 1.0
REPLY_TIMEOUT_SECONDS = 120.0
QUIET_SECONDS = 2.0  # no more messages for this long: the bot has said all it had to say
TELEGRAM_CONNECTIONS = 40  # setWebhook's max_connections default: Telegram opens no more at once
APOLOGIES = ("utter_telegram_problema_espera", "utter_telegram_problema_repite")


def apology_texts() -> frozenset[str]:
    responses = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    return frozenset(variation["text"] for name in APOLOGIES for variation in responses.get(name, []))


class Outcome(enum.Enum):
    ANSWERED = "answered"
    APOLOGIZED = "apologized"
    TIMED_OUT = "timed out"


class Replies:
    """What the fake received for each chat, told as it comes (from the fake's thread)."""

    def __init__(self, fake: FakeBotApi, apologies: frozenset[str]) -> None:
        self.loop = asyncio.get_running_loop()
        self.apology_texts = apologies
        self.answers: dict[str, list[float]] = {}  # chat: arrival times
        self.apologies: dict[str, int] = {}
        self.changed: dict[str, asyncio.Event] = {}
        self.stop_listening = fake.listen(self.heard)

    def heard(self, call: Call) -> None:
        if call.method == "sendMessage" and call.ok:
            apology = call.params.get("text") in self.apology_texts
            self.loop.call_soon_threadsafe(self.arrived, str(call.params["chat_id"]), call.at, apology)

    def arrived(self, chat: str, at: float, apology: bool) -> None:
        if apology:
            self.apologies[chat] = self.apologies.get(chat, 0) + 1
        else:
            self.answers.setdefault(chat, []).append(at)
        self.changed.setdefault(chat, asyncio.Event()).set()

    def count(self, chat: int) -> int:
        return len(self.answers.get(str(chat), []))

    async def wait(self, chat: str, answers: int, apologies: int, timeout: float) -> tuple[Outcome, float]:
        """Until the chat has `answers` answers (the arrival of the last one) or more than
        `apologies` apologies, or until `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            arrived = self.answers.get(chat, [])
            if len(arrived) >= answers:
                return Outcome.ANSWERED, arrived[answers - 1]
            if self.apologies.get(chat, 0) > apologies:
                return Outcome.APOLOGIZED, time.monotonic()
            event = self.changed.setdefault(chat, asyncio.Event())
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                return Outcome.TIMED_OUT, time.monotonic()

    async def quiet(self, chat: str, seen: int) -> int:
        """The chat's answers once none came for QUIET_SECONDS after the `seen`-th."""
        while True:
            outcome, _ = await self.wait(chat, seen + 1, self.apologies.get(chat, 0), QUIET_SECONDS)
            if outcome is not Outcome.ANSWERED:
                return seen
            seen += 1


@dataclasses.dataclass
class ChatLog:
    chat_id: int
    latencies: list[float] = dataclasses.field(default_factory=list)
    lines: list[int] = dataclasses.field(default_factory=list)  # the script's line of each latency
    answered_at: list[float] = dataclasses.field(default_factory=list)
    refusals: list[str] = dataclasses.field(default_factory=list)  # status or error of refused posts
    timeouts: int = 0
    apologized: int = 0
    owed_after: list[int] = dataclasses.field(default_factory=list)  # answers owed after each turn

    @property
    def owed(self) -> int:
        return self.owed_after[-1] if self.owed_after else 0

    def lost(self, answers: int) -> int:
        """Accepted updates whose answers never all came (and no apology instead)."""
        return sum(owed > answers for owed in self.owed_after)

    def duplicated(self, answers: int) -> int:
        return max(0, answers - self.owed)


async def hold_chat(
    client: httpx.AsyncClient,
    url: str,
    chat_id: int,
    expected: list[int],
    replies: Replies,
    delay: float,
) -> ChatLog:
    """One customer: say the first len(expected) lines of the script, each after the replies to
    the one before (`expected[i]` answers for line i) and a think time."""
    log = ChatLog(chat_id)
    await asyncio.sleep(delay)
    for number, (line, count) in enumerate(zip(SCRIPT, expected, strict=False)):
        if number:
            await asyncio.sleep(THINK_SECONDS)
        started = time.monotonic()
        try:
            update = tg.text_update(chat_id, line)
            response = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
            status = str(response.status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        if status != "200":  # Telegram would deliver it again; a customer here just goes on
            log.refusals.append(status)
            continue
        outcome, at = await replies.wait(
            str(chat_id), log.owed + count, log.apologized, REPLY_TIMEOUT_SECONDS
        )
        if outcome is Outcome.APOLOGIZED:
            log.apologized += 1
            continue
        log.owed_after.append(log.owed + count)
        if outcome is Outcome.TIMED_OUT:
            log.timeouts += 1
        else:
            log.latencies.append(at - started)
            log.lines.append(number)
            log.answered_at.append(at)
    return log


def client_for(connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=REPLY_TIMEOUT_SECONDS, limits=limits)


async def hold_chats(
    url: str, chat_ids: list[int], expected: list[int], replies: Replies, connections: int
) -> tuple[list[ChatLog], float]:
    """Every chat at once over at most `connections` connections, their first posts spread over
    one think time; the seconds from the first post to the last reply."""
    async with client_for(connections) as client:
        started = time.monotonic()
        spread = THINK_SECONDS / len(chat_ids)
        logs = await asyncio.gather(
            *(hold_chat(client, url, chat, expected, replies, n * spread) for n, chat in enumerate(chat_ids))
        )
        return list(logs), time.monotonic() - started


async def reply_counts(url: str, fake: FakeBotApi, chat_id: int, script: Sequence[str] = SCRIPT) -> list[int]:
    """How many messages the bot sends for each line of `script`, on Telegram (one chat; a
    line's replies are over when none came for QUIET_SECONDS). REST would not do: on Telegram
    a duda is registered as a case, «sí» closes it and the survey's first question follows."""
    replies = Replies(fake, apology_texts())
    counts: list[int] = []
    chat = str(chat_id)
    try:
        async with client_for(1) as client:
            for line in script:
                update = tg.text_update(chat_id, line)
                response = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
                response.raise_for_status()
                seen = sum(counts)
                outcome, _ = await replies.wait(chat, seen + 1, 0, REPLY_TIMEOUT_SECONDS)
                if outcome is not Outcome.ANSWERED:
                    raise RuntimeError(f"the bot answered {line!r} with {outcome.value}")
                counts.append(await replies.quiet(chat, seen + 1) - seen)
    finally:
        replies.stop_listening()
    return counts
