"""The 100-chat level of the scale-out suite, run again and again on the same servers: how far one
run's turns a second can be trusted.

A level of 100 chats × 3 turns lasts about ten seconds, and its first and last seconds (the chats
starting, the last ones finishing) weigh on its figure: the same code on the same machine gives
runs several turns a second apart. Here each setup starts as in benchmarks/scaling.py, is warmed
up as there (the warm-up chats, then the 10-chat level), and answers the 100-chat level REPEATS
times in a row.

`python -m benchmarks.repeats` prints the table; `--write` also puts it in benchmarks/results.md (as
`python -m benchmarks.run --suite repeats` does).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
import statistics
from collections.abc import Iterable
from datetime import datetime, timezone

from benchmarks import scaling
from benchmarks.results_file import section_main
from tests.support.fake_bot_api import FakeBotApi

HEADING = "## Scale-out: the 100-chat level, repeated"
REPEATS = 5
LEVEL = scaling.Level(100, 3)
SETUP_KEYS = ("sqlite", "pg2")  # one SQLite process (`make run`), two replicas (`make cluster`)


@dataclasses.dataclass(frozen=True)
class Run:
    throughput: float  # turns a second
    troubles: int  # turns failed, lost or duplicated


def measure(setup_keys: Iterable[str] = SETUP_KEYS, repeats: int = REPEATS) -> dict[str, list[Run]]:
    """Each run, by setup label."""
    chat_ids = itertools.count(random.randrange(10**9, 9 * 10**9) * 1000)
    found: dict[str, list[Run]] = {}
    with scaling.sigterm_as_interrupt():
        services = scaling.Services.start()
        try:
            for setup in [setup for setup in scaling.SETUPS if setup.key in setup_keys]:
                found[setup.label] = measure_setup(setup, services, chat_ids, repeats)
        finally:
            services.close()
    return found


def measure_setup(
    setup: scaling.Setup, services: scaling.Services, chat_ids: Iterable[int], repeats: int
) -> list[Run]:
    chat_ids = iter(chat_ids)
    with FakeBotApi() as fake, scaling.running_target(setup, fake, services) as target:
        counts = asyncio.run(scaling.reply_counts(target.webhook_url, fake, next(chat_ids)))
        for level in (scaling.warm_up_level(setup), scaling.LEVELS[0]):
            scaling.measure_level(target, level, counts, chat_ids)
        runs = [scaling.measure_level(target, LEVEL, counts, chat_ids) for _ in range(repeats)]
    return [Run(run.throughput, run.failed + run.lost + run.duplicated) for run in runs]


def report(measured: dict[str, list[Run]]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    repeats = max((len(runs) for runs in measured.values()), default=0)
    lines = [
        HEADING,
        "",
        f"Measured {when} by `python -m benchmarks.repeats`: each setup of benchmarks/scaling.py "
        f"started once, warmed up as there, then its level of {LEVEL.chats} chats × {LEVEL.turns} "
        f"turns run {repeats} times in a row. Troubles: turns failed, lost or duplicated, in all runs.",
        "",
        "| setup | turns/s of each run | median | lowest | highest | troubles |",
        "|---|---|---|---|---|---|",
    ]
    for label, runs in measured.items():
        throughputs = [run.throughput for run in runs]
        each = " / ".join(f"{value:.1f}" for value in throughputs)
        lines.append(
            f"| {label} | {each} | {statistics.median(throughputs):.1f} | {min(throughputs):.1f} | "
            f"{max(throughputs):.1f} | {sum(run.troubles for run in runs)} |"
        )
    return "\n".join(lines) + "\n"


def run() -> str:
    return report(measure())


def main() -> None:
    section_main(HEADING, run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
