"""Benchmarks: training time, NLU parse latency, full turns over the REST channel, the
Telegram channel beside REST (benchmarks/telegram.py), and SQLite against PostgreSQL with 1 and 2
replicas, with the CPU profile of a turn (benchmarks/scaling.py), its 100-chat level repeated
(benchmarks/repeats.py), and Rasa's tracker store with the event-class table of
bot/ops/event_types.py (benchmarks/tracker_store.py).

`make bench` prints the tables and rewrites benchmarks/results.md;
`--suite core|nlu|telegram|scaling|repeats|tracker` runs one part and keeps the others' sections of
the file. Each full-turn level runs whole conversations (greeting, a duda, «sí») in parallel on
fresh servers with a fresh store; a turn fails when the HTTP call fails or returns no reply.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import platform
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx

from benchmarks import nlu, repeats, scaling, scaling_report, telegram, tracker_store
from benchmarks.results_file import RESULTS_PATH, write_results
from benchmarks.stats import percentile
from bot.config import get_settings
from bot.ops.launcher import free_port, running_services
from bot.store.migrate import migrate
from bot.training.evaluation import load_agent
from bot.training.nlu_files import holdout_paths, load_examples
from bot.training.train import MODEL_PATH, ensure_model, run_rasa_train

CORE_HEADING = "## Training, NLU parsing and REST turns"
CONVERSATION = ["hola", "cuanto tarda un envio a valencia?", "sí"]
CONCURRENCY_LEVELS = (1, 10, 50)
ROUNDS_PER_CHAT = 2


def time_cold_training() -> float:
    """A full training with an empty Rasa cache, into a scratch folder."""
    with tempfile.TemporaryDirectory() as scratch:
        started = time.monotonic()
        run_rasa_train(Path(scratch), Path(scratch) / "train.log", RASA_CACHE_DIRECTORY=f"{scratch}/cache")
        return time.monotonic() - started


async def one_chat(client: httpx.AsyncClient, url: str, latencies: list[float]) -> int:
    failures = 0
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    for _ in range(ROUNDS_PER_CHAT):
        for text in CONVERSATION:
            started = time.perf_counter()
            try:
                response = await client.post(url, json={"sender": sender, "message": text})
                ok = response.status_code == 200 and bool(response.json())
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            failures += not ok
    return failures


async def turn_latencies(url: str, chats: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        failures = await asyncio.gather(*(one_chat(client, url, latencies) for _ in range(chats)))
        elapsed = time.perf_counter() - started
    return latencies, sum(failures), elapsed


def measure_turns() -> list[dict]:
    rows = []
    for chats in CONCURRENCY_LEVELS:
        with tempfile.TemporaryDirectory() as scratch:
            database_url = f"sqlite:///{scratch}/bench.db"
            migrate(database_url)
            settings = dataclasses.replace(
                get_settings(), database_url=database_url, rasa_port=free_port(), action_port=free_port()
            )
            with running_services(settings, log_prefix="bench-"):
                url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
                asyncio.run(turn_latencies(url, 1))  # warm-up
                latencies, failed, elapsed = asyncio.run(turn_latencies(url, chats))
        rows.append(
            {
                "chats": chats,
                "turns": len(latencies),
                "failed": failed,
                "p50": percentile(latencies, 0.5),
                "p95": percentile(latencies, 0.95),
                "throughput": len(latencies) / elapsed,
            }
        )
    return rows


def report(training_seconds: float | None, parse: list[float], turns: list[dict]) -> str:
    lines = [
        CORE_HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite store, one Rasa server and one action server.",
        "",
    ]
    if training_seconds is not None:
        lines += [f"Training time (full pipeline, empty Rasa cache): **{training_seconds:.0f} s**", ""]
    lines += [
        f"NLU parse latency over {len(parse)} held-out messages, in process: "
        f"p50 **{percentile(parse, 0.5) * 1000:.0f} ms**, p95 **{percentile(parse, 0.95) * 1000:.0f} ms**.",
        "",
        f"Full turns over the REST channel (conversation: {' → '.join(CONVERSATION)}, "
        f"{ROUNDS_PER_CHAT}× per chat; p50 at 1 chat is the reference for the ratios):",
        "",
        "| concurrent chats | turns | failed | p50 (ms) | p95 (ms) | p50 vs 1 chat | turns/s |",
        "|---|---|---|---|---|---|---|",
    ]
    reference = turns[0]["p50"]
    for row in turns:
        lines.append(
            f"| {row['chats']} | {row['turns']} | {row['failed']} | {row['p50'] * 1000:.0f} | "
            f"{row['p95'] * 1000:.0f} | {row['p50'] / reference:.1f}× | {row['throughput']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def write_sections(new_sections: dict[str, str]) -> None:
    order = (
        CORE_HEADING,
        *nlu.HEADINGS,
        telegram.HEADING,
        scaling_report.HEADING,
        repeats.HEADING,
        tracker_store.HEADING,
    )
    write_results(new_sections, order)


def core_report(skip_training: bool) -> str:
    training_seconds = None if skip_training else time_cold_training()
    texts = [e.text for e in load_examples(holdout_paths())]
    parse = asyncio.run(nlu.parse_latencies(load_agent(MODEL_PATH), texts))
    return report(training_seconds, parse, measure_turns())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-training", action="store_true", help="do not time a fresh training")
    parser.add_argument(
        "--suite",
        choices=("all", "core", "nlu", "telegram", "scaling", "repeats", "tracker"),
        default="all",
    )
    args = parser.parse_args()
    ensure_model()
    new_sections = {}
    if args.suite in ("all", "core"):
        new_sections[CORE_HEADING] = core_report(args.skip_training)
    if args.suite in ("all", "nlu"):
        new_sections[nlu.PRODUCT_HEADING] = nlu.product_section(MODEL_PATH)
    if args.suite in ("all", "telegram"):
        new_sections[telegram.HEADING] = telegram.report(telegram.measure())
    if args.suite in ("all", "scaling"):
        new_sections[scaling_report.HEADING] = scaling_report.report(scaling.measure())
    if args.suite in ("all", "repeats"):
        new_sections[repeats.HEADING] = repeats.run()
    if args.suite in ("all", "tracker"):
        new_sections[tracker_store.HEADING] = tracker_store.run()
    for section in new_sections.values():
        print(section)
    write_sections(new_sections)
    print(f"(written to {RESULTS_PATH})")


if __name__ == "__main__":
    main()
