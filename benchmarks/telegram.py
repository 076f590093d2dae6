"""Webhook-to-sendMessage latency of our Telegram channel, beside Rasa's REST channel.

One Rasa server (with the action server) serves both channels from the same model; its Telegram
channel talks to the fake Bot API of the tests. Every chat holds the same conversation on both
channels, with a one-second pause between turns as a person would (it also keeps each chat under
Telegram's one-message-a-second limit, which our channel enforces). A turn's latency is from the
HTTP request to the last reply: the REST response, or the last sendMessage the fake received.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import platform
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import httpx

from benchmarks.customers import reply_counts
from benchmarks.stats import percentile
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import Call, FakeBotApi
from tests.support.telegram_assistant import SECRET, TelegramAssistant, telegram_assistant

CONVERSATION = ["hola", "cuanto tarda un envio a valencia?", "sí"]
ROUNDS_PER_CHAT = 2
REPETITIONS = 2  # per level, REST and Telegram alternate: neither always runs on a warmer server
CONCURRENCY_LEVELS = (1, 10, 100)
THINK_SECONDS = 1.0
REPLY_TIMEOUT_SECONDS = 120.0
REST_TOKEN = "bench-rest-token"


@dataclasses.dataclass
class Run:
    channel: str
    chats: int
    latencies: list[float]
    turns_failed: int
    lost: int
    duplicated: int
    messages: int
    elapsed: float


@contextmanager
def servers() -> Iterator[TelegramAssistant]:
    with (
        tempfile.TemporaryDirectory() as scratch,
        FakeBotApi() as fake,
        telegram_assistant(
            Path(scratch), fake, "https://bench.example.com", "bench-telegram-", rest_channel_token=REST_TOKEN
        ) as running,
    ):
        yield running


class Replies:
    """The arrival times of the messages each chat received, told by the fake as they come."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.loop = asyncio.get_running_loop()
        self.arrivals: dict[str, list[float]] = {}
        self.waiters: dict[str, asyncio.Event] = {}
        self.stop_listening = fake.listen(self.heard)

    def heard(self, call: Call) -> None:  # in the fake's thread
        if call.method == "sendMessage" and call.ok:
            self.loop.call_soon_threadsafe(self.arrived, str(call.params["chat_id"]), call.at)

    def arrived(self, chat: str, at: float) -> None:
        self.arrivals.setdefault(chat, []).append(at)
        self.waiters.setdefault(chat, asyncio.Event()).set()

    async def wait(self, chat: str, count: int, timeout: float) -> float | None:
        """The arrival time of the chat's `count`-th message, or None after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.arrivals.get(chat, [])) < count:
            event = self.waiters.setdefault(chat, asyncio.Event())
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                return None
        return self.arrivals[chat][count - 1]


async def rest_chat(client: httpx.AsyncClient, url: str, latencies: list[float]) -> tuple[list[int], int]:
    sender, replies, failed = f"bench-{uuid.uuid4().hex[:10]}", [], 0
    for text in CONVERSATION * ROUNDS_PER_CHAT:
        started = time.monotonic()
        try:
            response = await client.post(url, json={"sender": sender, "message": text})
            count = len(response.json()) if response.status_code == 200 else 0
        except httpx.HTTPError:
            count = 0
        latencies.append(time.monotonic() - started)
        replies.append(count)
        failed += count == 0
        await asyncio.sleep(THINK_SECONDS)
    return replies, failed


async def telegram_chat(
    client: httpx.AsyncClient,
    url: str,
    chat_id: int,
    expected: list[int],
    replies: Replies,
    latencies: list[float],
) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    received, failed = 0, 0
    for text, count in zip(CONVERSATION * ROUNDS_PER_CHAT, expected, strict=True):
        started = time.monotonic()
        response = await client.post(url, json=tg.text_update(chat_id, text), headers=headers)
        received += count
        arrived = await replies.wait(str(chat_id), received, REPLY_TIMEOUT_SECONDS)
        if response.status_code != 200 or arrived is None:
            failed += 1
        else:
            latencies.append(arrived - started)
        await asyncio.sleep(THINK_SECONDS)
    return failed


async def measure_rest(url: str, chats: int) -> tuple[Run, list[int]]:
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {REST_TOKEN}"}  # REST beside Telegram needs its token
    async with httpx.AsyncClient(timeout=REPLY_TIMEOUT_SECONDS, headers=headers) as client:
        started = time.monotonic()
        results = await asyncio.gather(*(rest_chat(client, url, latencies) for _ in range(chats)))
        elapsed = time.monotonic() - started
    expected = Counter(tuple(replies) for replies, _ in results).most_common(1)[0][0]
    messages = sum(sum(replies) for replies, _ in results)
    failed = sum(f for _, f in results)
    return Run("REST", chats, latencies, failed, 0, 0, messages, elapsed), list(expected)


async def measure_telegram(
    servers: TelegramAssistant, chats: int, expected: list[int], first_chat: int
) -> Run:
    replies = Replies(servers.fake)
    latencies: list[float] = []
    chat_ids = list(range(first_chat, first_chat + chats))
    async with httpx.AsyncClient(timeout=REPLY_TIMEOUT_SECONDS) as client:
        started = time.monotonic()
        failures = await asyncio.gather(
            *(telegram_chat(client, servers.webhook_url, c, expected, replies, latencies) for c in chat_ids)
        )
        elapsed = time.monotonic() - started
    await asyncio.sleep(2)  # late duplicates would arrive now
    replies.stop_listening()
    counts = [len(replies.arrivals.get(str(c), [])) for c in chat_ids]
    per_chat = sum(expected)
    lost = sum(max(0, per_chat - n) for n in counts)
    duplicated = sum(max(0, n - per_chat) for n in counts)
    return Run("Telegram", chats, latencies, sum(failures), lost, duplicated, sum(counts), elapsed)


def merged(runs: list[Run]) -> Run:
    return Run(
        runs[0].channel,
        runs[0].chats,
        [latency for run in runs for latency in run.latencies],
        sum(run.turns_failed for run in runs),
        sum(run.lost for run in runs),
        sum(run.duplicated for run in runs),
        sum(run.messages for run in runs),
        sum(run.elapsed for run in runs),
    )


def measure_level(
    running: TelegramAssistant, chats: int, expected: list[int], chat_ids: Iterator[int]
) -> tuple[Run, Run]:
    runs: dict[str, list[Run]] = {"REST": [], "Telegram": []}
    for repetition in range(REPETITIONS):
        order = ("REST", "Telegram") if repetition % 2 == 0 else ("Telegram", "REST")
        for channel in order:
            if channel == "REST":
                run = asyncio.run(measure_rest(running.rest_url, chats))[0]
            else:
                run = asyncio.run(measure_telegram(running, chats, expected, next(chat_ids)))
            runs[channel].append(run)
    return merged(runs["REST"]), merged(runs["Telegram"])


def measure() -> list[tuple[Run, Run]]:
    chat_ids = itertools.count(1000, 1000)
    with servers() as running:
        asyncio.run(measure_rest(running.rest_url, 1))  # warm-up
        # Counted on Telegram: there «sí» closing the duda is followed by the survey's question.
        script = CONVERSATION * ROUNDS_PER_CHAT
        expected = asyncio.run(reply_counts(running.webhook_url, running.fake, next(chat_ids), script))
        return [measure_level(running, chats, expected, chat_ids) for chats in CONCURRENCY_LEVELS]


HEADING = "## Telegram channel vs REST"


def report(pairs: list[tuple[Run, Run]]) -> str:
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite store. "
        f"One Rasa server and one action server, both channels on the same model in the same run; "
        f"the Telegram channel sends to the fake Bot API of the tests on loopback. Each chat holds "
        f"the conversation {' → '.join(CONVERSATION)} {ROUNDS_PER_CHAT}× with {THINK_SECONDS:.0f} s "
        f"between turns; each level runs {REPETITIONS}× per channel, alternating. Latency: from the "
        "HTTP request to the last reply (REST: the response; Telegram: the last sendMessage received "
        "by the fake). The ratio is Telegram p50 over REST p50 at the same concurrency.",
        "",
        "| chats | channel | turns | failed | lost | dup. | p50 ms | p95 ms | p99 ms | msg/s | p50 vs REST |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rest, telegram in pairs:
        reference = percentile(rest.latencies, 0.5)
        for run in (rest, telegram):
            p50, p95, p99 = (percentile(run.latencies, f) * 1000 for f in (0.5, 0.95, 0.99))
            turns = len(run.latencies) + run.turns_failed
            lines.append(
                f"| {run.chats} | {run.channel} | {turns} | {run.turns_failed} | {run.lost} | "
                f"{run.duplicated} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
                f"{run.messages / run.elapsed:.1f} | {p50 / 1000 / reference:.2f}× |"
            )
    return "\n".join(lines) + "\n"
