"""The scale-out benchmark's section of benchmarks/results.md (benchmarks/scaling.py measures)."""

from __future__ import annotations

import os
import platform
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone

from benchmarks import cpu_profile
from benchmarks.customers import REPLY_TIMEOUT_SECONDS, SCRIPT, TELEGRAM_CONNECTIONS, THINK_SECONDS
from benchmarks.scaling import (
    BENCH_MESSAGES_PER_SECOND,
    BURST,
    DRAIN_SECONDS,
    LEVELS,
    PROFILE_CHATS,
    PROFILE_SECONDS,
    SETTLE_SECONDS,
    Level,
    LevelRun,
    ProfileRun,
    Results,
)
from benchmarks.stats import percentile

HEADING = "## Scale-out: SQLite vs PostgreSQL, 1 and 2 replicas"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×" if reference else "–"


def run_of(results: Results, key: str, level: Level) -> LevelRun | None:
    return next((r for r in results.runs if r.setup.key == key and r.level == level), None)


def level_table(results: Results) -> list[str]:
    lines = [
        "| chats | turns | setup | failed (refused / timed out / apology) | lost | dup. | p50 ms | p95 ms "
        "| p99 ms | turns/s | turns/s vs SQLite | p95 vs SQLite | cores busy (ours / all) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for level in (*LEVELS, BURST):
        runs = [run for run in results.runs if run.level == level]
        if not runs:
            continue
        reference = runs[0]
        for run in runs:
            p50, p95, p99 = (run.p(f) * 1000 for f in (0.5, 0.95, 0.99))
            failed = f"{run.failed} ({sum(run.refused.values())} / {run.timeouts} / {run.apologized})"
            lines.append(
                f"| {level.label} | {run.turns} | {run.setup.label} | {failed} | {run.lost} | "
                f"{run.duplicated} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {run.throughput:.1f} | "
                f"{ratio(run.throughput, reference.throughput)} | {ratio(run.p(0.95), reference.p(0.95))} | "
                f"{run.cores_ours:.1f} / {run.cores_all:.1f} |"
            )
    return lines


def comparison(results: Results, key: str, reference: str) -> str:
    parts = []
    for level in (*LEVELS, BURST):
        run, base = run_of(results, key, level), run_of(results, reference, level)
        if run and base:
            parts.append(
                f"{level.label} chats {ratio(run.throughput, base.throughput)} turns/s and "
                f"{ratio(run.p(0.95), base.p(0.95))} p95"
            )
    return "; ".join(parts)


def counted(counter: Counter[str], limit: int = 3) -> str:
    return "; ".join(f"{count} × {name}" for name, count in counter.most_common(limit))


def findings(results: Results) -> list[str]:
    lines = []
    for run in results.runs:
        if not (run.failed or run.lost or run.duplicated or run.errors or run.overflows):
            continue
        refused = ", ".join(f"{count} × {status}" for status, count in run.refused.most_common())
        parts = [
            f"- **{run.setup.label}, {run.level.label} chats**: {run.failed} turns failed "
            f"(webhook refused: {refused or 'none'}; timed out: {run.timeouts}; apologized: "
            f"{run.apologized}); lost {run.lost}, duplicated {run.duplicated}; the level's updates in "
            f"the inbox: {run.inbox}."
        ]
        if run.overflows:
            parts.append(f"Connections dropped by a full accept queue meanwhile: {run.overflows}.")
        if run.errors:
            parts.append(f"Errors logged: {counted(run.errors)}.")
        if run.problems:
            parts.append("; ".join(run.problems[:4]) + (" …" if len(run.problems) > 4 else "") + ".")
        lines.append(" ".join(parts))
    clean = [run for run in results.runs if not (run.lost or run.duplicated)]
    if len(clean) == len(results.runs):
        lines.append(
            f"- No update lost and no reply duplicated in any of the {sum(r.turns for r in results.runs)} "
            "turns: every update the webhook accepted got exactly its replies (or, where a turn failed "
            "inside the server, our channel's apology), including when one chat's updates went to "
            "different Rasa servers."
        )
    lines += [f"- {note}" for note in results.notes]
    return lines


def served_text(results: Results) -> str:
    parts = []
    for run in results.runs:
        if len(run.served) > 1:
            total = sum(run.served.values())
            shares = ", ".join(f"{name} {count / total:.0%}" for name, count in sorted(run.served.items()))
            parts.append(f"{run.level.label} chats: {shares}")
    return "; ".join(parts)


def by_line_text(results: Results) -> str:
    """The p50 of each line of the script at the smallest level, per setup, and the lines slow
    in every setup."""
    level = min(LEVELS, key=lambda level: level.chats)
    runs = [run for run in results.runs if run.level == level]
    p50s = {
        run.setup.label: [percentile(run.by_line.get(n, []), 0.5) for n in range(level.turns)] for run in runs
    }
    text = f"p50 of each line of the script at {level.chats} chats: " + "; ".join(
        f"{label} " + " / ".join(f"{value * 1000:.0f}" for value in values) + " ms"
        for label, values in p50s.items()
    )
    slow = [
        n
        for n in range(level.turns)
        if all(
            values[n] > 0.5 and values[n] > 3 * sorted(values)[len(values) // 2] for values in p50s.values()
        )
    ]
    if slow:
        lines = ", ".join(f"line {n + 1} («{SCRIPT[n]}», {results.expected[n]} messages)" for n in slow)
        text += (
            f". {lines.capitalize()} is slow at any load: by then the chat has had "
            f"{sum(results.expected[: slow[0]])} messages in about {slow[0] * (THINK_SECONDS + 0.1):.1f} s, "
            "and our channel keeps to Telegram's per-chat limit (bursts of 3, then one message a second: "
            "bot/telegram_api/delivery.py), so its second message waits for the limit. That wait, not the "
            f"server, is the p95 at {level.chats} chats"
        )
    return text


def scaling_text(results: Results) -> list[str]:
    cores = os.cpu_count() or 1
    busiest = max(LEVELS, key=lambda level: level.chats)
    used = ", ".join(
        f"{run.setup.label} {run.cores_ours:.1f} (machine: {run.cores_all:.1f})"
        for run in results.runs
        if run.level == busiest
    )
    memory = ", ".join(f"{label} {gb:.1f} GB" for label, gb in results.memory.items())
    served = served_text(results)
    return [
        f"- PostgreSQL with 1 replica against SQLite: {comparison(results, 'pg1', 'sqlite')}.",
        f"- 2 replicas against 1: {comparison(results, 'pg2', 'pg1')}.",
        f"- 1 replica of 2 processes against 1 of one: {comparison(results, 'pg1w2', 'pg1')}; "
        f"against 2 replicas: {comparison(results, 'pg1w2', 'pg2')}.",
        f"- Cores used at {busiest.chats} chats by each setup's processes and the benchmark's own, of "
        f"the machine's {cores}: {used}. A Rasa server is one event loop: NLU, the policies and (on "
        "SQLite) the store calls of every conversation take turns on it, and under the GIL it keeps "
        "about one core busy however many chats wait (its busy share is in the profile below). One "
        "Rasa server process cannot use the second core; a second replica or a second process of the "
        "same server (SANIC_WORKERS) can, and that is all either brings on this machine: the Rasa "
        f"processes, the action servers, PostgreSQL, nginx and the load generator share the same {cores} "
        "cores, a third would find none free, and the gain is not what a second machine would add. Each "
        "Rasa server process also holds its own copy of the model (resident memory of the servers after "
        f"the levels: {memory}).",
        *([f"- nginx's split of the webhook posts between the Rasa servers: {served}."] if served else []),
        "- At 10 chats turns/s is bounded by the think time (10 chats / (1 s + latency)): there latency "
        f"tells the setups apart. {by_line_text(results)}.",
        f"- The burst level (one connection per chat, {BURST.chats} at once) is more than Telegram sends: "
        f"it opens at most {TELEGRAM_CONNECTIONS} connections to a webhook and delivers again an update "
        "whose post failed, which these customers do not.",
    ]


Tally = Callable[[ProfileRun], cpu_profile.Samples]


def rasa_busy(run: ProfileRun) -> cpu_profile.Samples:
    return run.busy("rasa")


def actions_busy(run: ProfileRun) -> cpu_profile.Samples:
    return run.busy("actions")


def sample_table(
    profiles: list[ProfileRun],
    pick: Tally,
    count: Callable[[cpu_profile.Samples], Counter[str]],
    limit: int = 0,
) -> list[str]:
    """Rows of `count(pick(profile))` in ms per turn and % of the picked samples, one column per
    profiled setup; rows in the order of the first setup's."""
    picked = [(run, pick(run)) for run in profiles]
    tallies = [count(samples) for _, samples in picked]
    names = sorted({name for tally in tallies for name in tally}, key=lambda n: (-tallies[0].get(n, 0), n))
    lines = [
        "| | " + " | ".join(f"{run.setup.label}: ms / turn (%)" for run, _ in picked) + " |",
        "|---" * (len(picked) + 1) + "|",
    ]
    for name in names[:limit] if limit else names:
        cells = []
        for (run, samples), tally in zip(picked, tallies, strict=True):
            n = tally.get(name, 0)
            ms = run.per_turn_ms(n / cpu_profile.SAMPLES_PER_SECOND)
            cells.append(f"{ms:.1f} ({n / max(1, samples.total):.0%})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def seconds_table(profiles: list[ProfileRun], of: Callable[[ProfileRun], dict[str, float]]) -> list[str]:
    names = list(dict.fromkeys(name for run in profiles for name in of(run)))
    lines = [
        "| | " + " | ".join(f"{run.setup.label}: ms CPU / turn" for run in profiles) + " |",
        "|---" * (len(profiles) + 1) + "|",
    ]
    for name in names:
        cells = [f"{run.per_turn_ms(of(run).get(name, 0.0)):.1f}" for run in profiles]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def py_spy_version() -> str:
    binary = cpu_profile.py_spy_binary()
    if binary is None:
        return "py-spy"
    said = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    return said.strip() or "py-spy"


def loop_share(run: ProfileRun, samples: int) -> str:
    """`samples` of the Rasa server's busy event loop, in ms per turn and share."""
    ms = run.per_turn_ms(samples / cpu_profile.SAMPLES_PER_SECOND)
    return f"{ms:.0f} ms per turn ({samples / max(1, run.busy('rasa').total):.0%})"


def ours_share(run: ProfileRun) -> str:
    parts = run.busy("rasa").parts(cpu_profile.RASA_SERVER_PARTS)
    return loop_share(run, sum(count for label, count in parts.items() if label.startswith("Ours")))


def cross_share(label: str) -> Callable[[ProfileRun], str]:
    return lambda run: loop_share(run, run.busy("rasa").cross_cutting().get(label, 0))


def workers_cpu(run: ProfileRun) -> str:
    threads = cpu_profile.thread_group("asyncio_0")
    return f"{run.per_turn_ms(run.threads.get(threads, 0.0)):.0f} ms CPU per turn"


def in_short(profiles: list[ProfileRun]) -> list[str]:
    def each(describe: Callable[[ProfileRun], str], only_replicas: bool = False) -> str:
        chosen = [run for run in profiles if run.setup.replicas or not only_replicas]
        return ", ".join(f"{run.setup.label} {describe(run)}" for run in chosen)

    return [
        "In short, for the Rasa server's event loop (which every conversation on that server shares; "
        "tables below):",
        "",
        f"- Our code's share of its busy time: {each(ours_share)}. On SQLite the channel's store work "
        "runs on the loop (bot/telegram/store_work.py); on PostgreSQL it runs in worker threads: "
        f"{each(workers_cpu, only_replicas=True)}.",
        "- Rasa checking each custom action's response against its JSON schema (jsonschema.validate "
        "checks the schema itself against the metaschema on every call): "
        f"{each(cross_share(cpu_profile.ACTION_RESPONSE_CHECK))}.",
        f"- SQL commits waiting for the disk: {each(cross_share(cpu_profile.COMMITS))}.",
        "- The rest is Rasa's own: NLU (spaCy, DIET), the policies (TED, rules, memoization), the "
        "processor and its tracker store.",
        "",
    ]


def profile_text(profiles: list[ProfileRun]) -> list[str]:
    profiles = [run for run in profiles if {"rasa", "actions"} <= set(run.samples)]
    if not profiles:
        return ["No CPU profile: py-spy is not installed (`.venv/bin/pip install py-spy`), or it failed."]
    busy = ", ".join(
        f"{run.setup.label} {run.busy('rasa').total / max(1, run.main_thread_samples('rasa')):.0%} "
        f"({run.turns / run.seconds:.1f} turns/s)"
        for run in profiles
    )
    return [
        f"{py_spy_version()} (installed in the venv as a tool, not a dependency: nothing imports it) "
        f"sampled the Rasa server and the action server ({cpu_profile.SAMPLES_PER_SECOND} Hz, "
        f"`py-spy record --idle --format raw`, {PROFILE_SECONDS} s) under a steady load of "
        f"{PROFILE_CHATS} chats, each a new chat saying the whole script with {THINK_SECONDS:.0f} s "
        "between turns, after the levels above on the same servers. Raw stacks: "
        "`var/bench/profile-<setup>-<server>.txt`. py-spy's own idle detection does not work here "
        "(it counted threads waiting in uvloop as busy: 1.2 busy cores for a server using 0.37), so "
        "every sample is taken and a server's event loop counts as busy unless its innermost frame is "
        "Sanic's `serve` (uvloop waiting for events).",
        "",
        *in_short(profiles),
        "CPU from /proc, every thread included:",
        "",
        *seconds_table(profiles, lambda run: run.cpu),
        "| turns answered while sampled | " + " | ".join(f"{run.turns}" for run in profiles) + " |",
        "",
        "The Rasa server's CPU by thread:",
        "",
        *seconds_table(profiles, lambda run: run.threads),
        "",
        f"**The Rasa server's event loop** was busy {busy} of the sampled time. Its busy time per turn "
        "is its wall time: CPU, calls that block the loop (SQLite's commits) and, on a machine this "
        "busy, waiting for a core. By part of a turn, each sample counted once, in the first part it "
        "matches in this order (models, stores, our channel, Rasa's core); TensorFlow's work in its "
        "own threads is in the thread table above, not here:",
        "",
        *sample_table(profiles, rasa_busy, lambda samples: samples.parts(cpu_profile.RASA_SERVER_PARTS)),
        "",
        "The same busy time, cross-cutting (a sample counts in every row whose code is on its stack):",
        "",
        *sample_table(profiles, rasa_busy, lambda samples: samples.cross_cutting()),
        "",
        "Where the event loop was (the innermost frame's package; top 12):",
        "",
        *sample_table(profiles, rasa_busy, lambda samples: samples.leaf_libraries(), limit=12),
        "",
        "Our code on the event loop (our innermost function with no Rasa frame below it, with the "
        "libraries it calls; top 12):",
        "",
        *sample_table(profiles, rasa_busy, lambda samples: samples.ours(("rasa/",)), limit=12),
        "",
        "**The action server's event loop**, busy time per turn by part, then our code in it (top 8):",
        "",
        *sample_table(profiles, actions_busy, lambda samples: samples.parts(cpu_profile.ACTION_SERVER_PARTS)),
        "",
        *sample_table(profiles, actions_busy, lambda samples: samples.ours(("rasa_sdk/",)), limit=8),
    ]


def load_text(results: Results) -> str:
    levels = "; ".join(
        f"{level.chats} chats × {level.turns} turns ({' → '.join(SCRIPT[: level.turns])})" for level in LEVELS
    )
    return (
        f"Load, per level, on the same servers: {levels}; then a burst of {BURST.chats} chats × "
        f"{BURST.turns} turns with a connection each. Every chat is a new Telegram private chat "
        "posting updates (tests/support/telegram_updates.py) to the public webhook with the secret "
        f"header, over at most {TELEGRAM_CONNECTIONS} connections in all (Telegram's limit per webhook); "
        "it waits for the "
        "bot's replies at the fake Bot API of the tests (on loopback, in the benchmark's process), then "
        f"thinks {THINK_SECONDS:.0f} s. The chats start spread over the first second. The bot's answers "
        f"to the lines, counted on one Telegram chat of each setup: {results.expected} messages (the "
        "duda is registered as a case, the first «sí» closes it and the survey's first question "
        "follows; the second «sí» answers the survey). Latency: from the HTTP post to the last answer "
        "the fake received. turns/s: turns answered over the seconds from the first post to the last "
        "answer. Failed: the webhook did not answer 200 (refused), the answers did not come within "
        f"{REPLY_TIMEOUT_SECONDS:.0f} s (timed out), or our channel apologised instead (a turn that "
        "failed inside the server). Lost: accepted updates never answered nor apologised for, counted "
        f"once the inbox held none of the level's updates still to process (at most {DRAIN_SECONDS:.0f} "
        f"s) and {SETTLE_SECONDS:.0f} s more; dup.: answers beyond those owed. Ratios: against SQLite at "
        "the same level. Cores busy: CPU time over wall time, for this setup's processes with the "
        "benchmark's own (ours) and for the whole machine (all)."
    )


def report(results: Results) -> str:
    versions_text = ", ".join(f"{name} {version}" for name, version in results.versions.items())
    load = ", ".join(f"{value:.1f}" for value in results.load_before)
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU cores "
        f"({platform.machine()}), Python {platform.python_version()}, {versions_text}. The suite took "
        f"{results.minutes:.0f} min (`.venv/bin/python -m benchmarks.run --suite scaling`); the load "
        f"average before it was {load}: other work shared the machine, which the last column shows.",
        "",
        "Setups, one after the other in the same run, each started fresh on a new database: "
        "**SQLite, 1 process**: one Rasa server and one action server on a SQLite file, Rasa's "
        "in-memory lock store, the webhook posted to the Rasa server directly; "
        "**PostgreSQL, 1 replica**: one Rasa server and one action server on a new PostgreSQL "
        "database (scripts/postgres.sh: fsync off), Rasa's Redis lock store, nginx in front of both "
        "(bot/ops/cluster.py); **PostgreSQL, 2 replicas**: the same with two of each; **PostgreSQL, 1 "
        "replica of 2 processes**: one Rasa server forking two processes (SANIC_WORKERS=2) and one action "
        "server. No worker, no console. The bot may send "
        f"{BENCH_MESSAGES_PER_SECOND:.0f} messages a second (TELEGRAM_MESSAGES_PER_SECOND), what Telegram "
        "allows a bot with paid broadcasts: at its default 30, shared by every process of the bot, "
        "this script (5 messages in 3 turns) could not pass 18 turns a second whatever the servers.",
        "",
        load_text(results),
        "",
        *level_table(results),
        "",
        "What the numbers show:",
        "",
        *findings(results),
        *scaling_text(results),
        "",
        "### CPU profile of a turn",
        "",
        *profile_text(results.profiles),
    ]
    return "\n".join(lines) + "\n"
