"""Scale-out: SQLite in one process vs PostgreSQL with 1 and 2 replicas, at 10, 100 and 500 chats.

Four setups, measured one after the other in the same run, each on a new database:

- SQLite, one Rasa server and one action server (the embedded default, as `make run` starts it);
- PostgreSQL and the Redis lock store, one Rasa server and one action server behind nginx;
- the same with two Rasa servers and two action servers (bot/ops/cluster.py, Rasa's own scaling);
- the same with one Rasa server of two processes (SANIC_WORKERS) and one action server.

The bot may send BENCH_MESSAGES_PER_SECOND messages a second (TELEGRAM_MESSAGES_PER_SECOND): at
Telegram's own 30 this script (5 messages in 3 turns) could not go past 18 turns a second whatever
the servers, and the servers are what is measured.

Customers (benchmarks/customers.py) post Telegram updates to the public webhook and wait for the
bot's replies at the fake Bot API of the tests. Their posts share at most 40 connections, as
Telegram's own do (setWebhook's max_connections); a last "burst" level gives each of 500 chats a
connection of its own, more than Telegram ever opens, to see what breaks first. Between the
levels and the burst, py-spy (when installed) samples the servers of the first two setups
under a steady 10-chat load (benchmarks/cpu_profile.py). The report is benchmarks/scaling_report.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
import itertools
import os
import random
import re
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from sqlalchemy import func, select, text

from benchmarks import cpu_profile
from benchmarks.customers import (
    SCRIPT,
    TELEGRAM_CONNECTIONS,
    THINK_SECONDS,
    ChatLog,
    Replies,
    apology_texts,
    client_for,
    hold_chat,
    hold_chats,
    reply_counts,
)
from benchmarks.stats import percentile
from bot.config import PROJECT_ROOT, get_settings
from bot.ops.cluster import running_cluster
from bot.ops.cluster_serve import private_service_url
from bot.ops.launcher import (
    action_server_command,
    log_path,
    raise_keyboard_interrupt,
    rasa_server_command,
)
from bot.ops.nginx_config import nginx_binary
from bot.store.db import create_reading_engine
from bot.store.inbox import PENDING
from bot.store.migrate import migrate
from bot.store.models import InboxUpdate
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres import PostgresServer
from tests.support.telegram_assistant import assistant_settings, telegram_assistant

SETTLE_SECONDS = 3.0  # after the inbox is done with a level, for late or duplicated replies
DRAIN_SECONDS = 300.0  # at most, after the last turn, for the updates still queued to be processed
PUBLIC_URL = "https://bench.example.com"
LOG_PREFIX = "bench-scale-"
PROFILE_DIR = PROJECT_ROOT / "var" / "bench"
# How the launcher starts each server (`python -m <module> …`): the profile finds them by it.
RASA_MODULE = rasa_server_command(get_settings())[2]
ACTIONS_MODULE = action_server_command(get_settings())[2]
PROFILE_SECONDS = 60
PROFILE_CHATS = 10
PROFILE_RAMP_SECONDS = 5.0


@dataclasses.dataclass(frozen=True)
class Level:
    chats: int
    turns: int  # per chat: the first `turns` lines of the script
    burst: bool = False  # a connection per chat instead of Telegram's 40

    @property
    def label(self) -> str:
        return f"{self.chats} burst" if self.burst else str(self.chats)

    @property
    def connections(self) -> int:
        return self.chats + 10 if self.burst else TELEGRAM_CONNECTIONS


LEVELS = (Level(10, 6), Level(100, 3), Level(500, 2))
BURST = Level(500, 2, burst=True)


@dataclasses.dataclass(frozen=True)
class Setup:
    key: str
    label: str
    replicas: int  # 0: SQLite, the Rasa server reached directly
    profiled: bool
    workers: int = 1  # processes of each Rasa server

    @property
    def rasa_processes(self) -> int:
        return max(1, self.replicas) * self.workers


SETUPS = (
    Setup("sqlite", "SQLite, 1 process", 0, profiled=True),
    Setup("pg1", "PostgreSQL, 1 replica", 1, profiled=True),
    Setup("pg2", "PostgreSQL, 2 replicas", 2, profiled=False),
    Setup("pg1w2", "PostgreSQL, 1 replica of 2 processes", 1, profiled=False, workers=2),
)
# Telegram allows a bot about 30 messages a second (1,000 with paid broadcasts): raised here so that
# the servers, not the bot's sending rate, are what the levels measure.
BENCH_MESSAGES_PER_SECOND = 1000.0


@dataclasses.dataclass
class Target:
    """A running setup: where customers post, its processes (for CPU and profiles) and logs."""

    setup: Setup
    webhook_url: str
    database_url: str
    fake: FakeBotApi
    processes: dict[str, int]  # "rasa", "actions" or "rasa-1", "actions-1", "nginx"…: pid
    logs: list[Path]
    database_name: str | None = None  # PostgreSQL's: its backends' CPU is the setup's
    access_log: Path | None = None  # nginx's: which Rasa server took each update
    upstreams: dict[str, str] = dataclasses.field(default_factory=dict)  # "host:port": name

    def backends(self) -> list[int]:
        """PostgreSQL's processes serving this setup's database (none on SQLite)."""
        return cpu_profile.processes_mentioning(self.database_name) if self.database_name else []

    def pids(self) -> list[int]:
        """Every process doing this setup's work, the benchmark's own (client, fake) included."""
        return [os.getpid(), *self.processes.values(), *self.backends()]

    def first(self, role: str) -> int:
        return next(pid for name, pid in self.processes.items() if name.split("-")[0] == role)


@dataclasses.dataclass
class Services:
    postgres: PostgresServer
    redis_url: str

    @classmethod
    def start(cls) -> Services:
        """The private PostgreSQL and Redis of scripts/, started if stopped; nginx installed."""
        postgres = PostgresServer(private_service_url("postgres.sh", "PostgreSQL"))
        redis_url = private_service_url("redis.sh", "Redis")
        if nginx_binary() is None:
            script = PROJECT_ROOT / "scripts" / "nginx.sh"
            subprocess.run([str(script)], check=True, stdout=subprocess.DEVNULL)
        return cls(postgres, redis_url)

    def close(self) -> None:
        self.postgres.engine.dispose()


@contextmanager
def sqlite_target(setup: Setup, fake: FakeBotApi) -> Iterator[Target]:
    prefix = f"{LOG_PREFIX}{setup.key}-"
    with (
        tempfile.TemporaryDirectory(prefix=LOG_PREFIX) as scratch,
        telegram_assistant(
            Path(scratch), fake, PUBLIC_URL, prefix, messages_per_second=BENCH_MESSAGES_PER_SECOND
        ) as running,
    ):
        processes = {}
        for pid, command in cpu_profile.children_of(os.getpid()).items():
            if command[1:3] == ["-m", RASA_MODULE]:
                processes["rasa"] = pid
            elif command[1:3] == ["-m", ACTIONS_MODULE]:
                processes["actions"] = pid
        logs = [log_path(f"{prefix}{name}") for name in ("rasa", "actions")]
        yield Target(setup, running.webhook_url, running.database_url, fake, processes, logs)


@contextmanager
def cluster_target(setup: Setup, fake: FakeBotApi, services: Services) -> Iterator[Target]:
    name = f"bench_scale_{setup.key}_{uuid.uuid4().hex[:10]}"
    database_url = services.postgres.create(name)
    prefix = f"{LOG_PREFIX}{setup.key}-"
    try:
        migrate(database_url)
        settings = dataclasses.replace(
            assistant_settings(fake, database_url, PUBLIC_URL, services.redis_url),
            rasa_workers=setup.workers,
            telegram_messages_per_second=BENCH_MESSAGES_PER_SECOND,
        )
        registered = len([call for call in fake.calls("setWebhook") if call.ok])
        with (
            tempfile.TemporaryDirectory(prefix=LOG_PREFIX) as directory,
            running_cluster(
                settings,
                rasa=setup.replicas,
                actions=setup.replicas,
                log_prefix=prefix,
                directory=Path(directory),
                worker=False,
                console=False,
            ) as cluster,
        ):
            fake.wait_for("setWebhook", registered + setup.rasa_processes, timeout=120)  # every channel is on
            children = cluster.supervisor.children
            processes = {child.removeprefix(prefix): process.pid for child, process in children.items()}
            yield Target(
                setup,
                f"{cluster.public_url}/webhooks/telegram/webhook",
                database_url,
                fake,
                {**processes, **forked(processes)},
                [log_path(child) for child in children],
                name,
                cluster.access_log,
                {urlsplit(url).netloc: child.removeprefix(prefix) for child, url in cluster.rasa.items()},
            )
    finally:
        services.postgres.drop(name)


def forked(processes: dict[str, int]) -> dict[str, int]:
    """The processes a Rasa server of several forked (named rasa-1.1, rasa-1.2…): their CPU is its."""
    found = {}
    for name, pid in processes.items():
        if name.startswith("rasa"):
            for n, child in enumerate(cpu_profile.children_of(pid), start=1):
                found[f"{name}.{n}"] = child
    return found


def running_target(setup: Setup, fake: FakeBotApi, services: Services) -> AbstractContextManager[Target]:
    return sqlite_target(setup, fake) if setup.replicas == 0 else cluster_target(setup, fake, services)


# --- one level ----------------------------------------------------------------------------------


@dataclasses.dataclass
class LevelRun:
    setup: Setup
    level: Level
    latencies: list[float]
    by_line: dict[int, list[float]]  # the latencies of each line of the script
    refused: Counter[str]  # posts the webhook did not answer 200, by status or error
    timeouts: int  # turns whose replies did not come within the timeout
    apologized: int  # turns answered with our channel's apology instead
    lost: int  # accepted updates never answered, nor apologized for
    duplicated: int  # replies beyond those owed
    elapsed: float
    cores_ours: float  # CPU cores busy with this setup's processes and the benchmark's own
    cores_all: float  # CPU cores busy on the whole machine
    inbox: dict[str, int]  # the level's updates in the store's inbox, by state
    served: dict[str, int]  # the level's webhook posts by Rasa server (nginx's log)
    errors: Counter[str]  # the servers' ERROR lines (and nginx's), numbers blanked
    overflows: int  # connections dropped by full accept queues meanwhile (machine-wide)
    problems: list[str]  # the chats with lost or duplicated replies

    @property
    def turns(self) -> int:
        return self.level.chats * self.level.turns

    @property
    def failed(self) -> int:
        return sum(self.refused.values()) + self.timeouts + self.apologized

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


def inbox_states(database_url: str, chat_ids: list[int]) -> dict[str, int]:
    engine = create_reading_engine(database_url)
    try:
        with engine.connect() as connection:
            query = (
                select(InboxUpdate.state, func.count())
                .where(InboxUpdate.chat_key.in_([str(chat_id) for chat_id in chat_ids]))
                .group_by(InboxUpdate.state)
            )
            return {state: count for state, count in connection.execute(query)}
    finally:
        engine.dispose()


def wait_until_processed(database_url: str, chat_ids: list[int]) -> int:
    """Wait until the inbox holds no update of these chats still to process (at most
    DRAIN_SECONDS): replies still coming are late, not lost. The updates still pending."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        states = inbox_states(database_url, chat_ids)
        pending = sum(count for state, count in states.items() if state in PENDING)
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(1)


def log_sizes(paths: list[Path]) -> dict[Path, int]:
    return {path: path.stat().st_size if path.exists() else 0 for path in paths}


def lines_since(path: Path, offset: int) -> list[str]:
    if not path.exists():
        return []
    with open(path, "rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace").splitlines()


SERVER_ERROR = re.compile(r"^\S+ \S+ (?:ERROR|CRITICAL)\s+(\S+)\s+- (.*)$")
NGINX_ERROR = re.compile(r"\[(?:error|crit|alert|emerg)\] [\d#]+: (?:\*\d+ )?(.*?)(?:, client:|$)")
WEBHOOK_LINE = re.compile(r'"POST /webhooks/telegram/webhook" \d+ upstream=(.*?) upstream_status=')


def log_errors(offsets: dict[Path, int]) -> Counter[str]:
    """ERROR lines written since `offsets`, by logger and message with numbers blanked."""
    errors: Counter[str] = Counter()
    for path, offset in offsets.items():
        for line in lines_since(path, offset):
            if found := SERVER_ERROR.match(line):
                errors[f"{found[1]}: {re.sub(r'[0-9]+', '#', found[2])[:160]}"] += 1
            elif found := NGINX_ERROR.search(line):
                errors[f"nginx: {re.sub(r'[0-9]+', '#', found[1])[:160]}"] += 1
    return errors


def served_by(target: Target, since: int) -> dict[str, int]:
    """Webhook posts by the Rasa server that answered them (the last nginx tried), from byte
    `since` of its access log; "none" when nginx found no server it could try."""
    if target.access_log is None:
        return {}
    served: dict[str, int] = {}
    for line in lines_since(target.access_log, since):
        if found := WEBHOOK_LINE.search(line):
            last = found[1].split(",")[-1].strip()
            name = target.upstreams.get(last, last if ":" in last else "none")
            served[name] = served.get(name, 0) + 1
    return served


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_profile.cpu_seconds(pid) for pid in pids}


async def run_level(target: Target, level: Level, expected: list[int], chat_ids: Iterator[int]) -> LevelRun:
    ids = list(itertools.islice(chat_ids, level.chats))
    replies = Replies(target.fake, apology_texts())
    logs_before = log_sizes([*target.logs, *([target.access_log] if target.access_log else [])])
    overflows_before = cpu_profile.listen_overflows()
    cpu_before, machine_before, started = cpu_of(target.pids()), cpu_profile.machine_cpu(), time.monotonic()
    chats, elapsed = await hold_chats(
        target.webhook_url, ids, expected[: level.turns], replies, level.connections
    )
    cpu_after, machine_after, wall = (
        cpu_of(target.pids()),
        cpu_profile.machine_cpu(),
        time.monotonic() - started,
    )
    overflows = cpu_profile.listen_overflows() - overflows_before
    pending = await asyncio.to_thread(wait_until_processed, target.database_url, ids)
    await asyncio.sleep(SETTLE_SECONDS)
    replies.stop_listening()

    lost = duplicated = 0
    problems = (
        [f"{pending} updates still to process {DRAIN_SECONDS:.0f} s after the last turn"] if pending else []
    )
    for chat in chats:
        answers = replies.count(chat.chat_id)
        lost += chat.lost(answers)
        duplicated += chat.duplicated(answers)
        if chat.lost(answers) or chat.duplicated(answers):
            problems.append(f"chat {chat.chat_id}: owed {chat.owed} answers, got {answers}")
    machine_share = (machine_after[0] - machine_before[0]) / max(1e-9, machine_after[1] - machine_before[1])
    return LevelRun(
        setup=target.setup,
        level=level,
        latencies=[latency for chat in chats for latency in chat.latencies],
        by_line=by_line(chats),
        refused=Counter(refusal for chat in chats for refusal in chat.refusals),
        timeouts=sum(chat.timeouts for chat in chats),
        apologized=sum(chat.apologized for chat in chats),
        lost=lost,
        duplicated=duplicated,
        elapsed=elapsed,
        cores_ours=sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after) / wall,
        cores_all=machine_share * (os.cpu_count() or 1),
        inbox=inbox_states(target.database_url, ids),
        served=served_by(target, logs_before.get(target.access_log, 0)) if target.access_log else {},
        errors=log_errors({path: size for path, size in logs_before.items() if path != target.access_log}),
        problems=problems,
        overflows=overflows,
    )


def by_line(chats: list[ChatLog]) -> dict[int, list[float]]:
    found: dict[int, list[float]] = {}
    for chat in chats:
        for line, latency in zip(chat.lines, chat.latencies, strict=True):
            found.setdefault(line, []).append(latency)
    return found


def measure_level(target: Target, level: Level, expected: list[int], chat_ids: Iterator[int]) -> LevelRun:
    run = asyncio.run(run_level(target, level, expected, chat_ids))
    print(
        f"{target.setup.label}, {level.label} chats: {run.throughput:.1f} turns/s, "
        f"p50 {run.p(0.5) * 1000:.0f} ms, p95 {run.p(0.95) * 1000:.0f} ms, failed {run.failed} "
        f"(refused {dict(run.refused)}, timed out {run.timeouts}, apologized {run.apologized}), "
        f"lost {run.lost}, duplicated {run.duplicated}, accept-queue overflows {run.overflows}",
        flush=True,
    )
    return run


# --- the profile --------------------------------------------------------------------------------


@dataclasses.dataclass
class ProfileRun:
    setup: Setup
    seconds: float  # sampled
    turns: int  # answered in that time
    cpu: dict[str, float]  # CPU seconds in that time, by process: "Rasa server", "action server", …
    threads: dict[str, float]  # the Rasa server's CPU seconds by thread
    samples: dict[str, cpu_profile.Samples]  # "rasa", "actions": every sample, idle ones included

    def per_turn_ms(self, seconds: float) -> float:
        return seconds / max(1, self.turns) * 1000

    def busy(self, role: str) -> cpu_profile.Samples:
        return self.samples[role].event_loop_busy()

    def main_thread_samples(self, role: str) -> int:
        root = [cpu_profile.MAIN_THREAD_ROOT]
        return sum(count for frames, count in self.samples[role].stacks if frames[:1] == root)


def snapshot(target: Target, sampled: dict[str, int]) -> dict[str, dict[int, float]]:
    return {
        "Rasa server": cpu_of([sampled["rasa"]]),
        "action server": cpu_of([sampled["actions"]]),
        "PostgreSQL backends": cpu_of(target.backends()),
        "benchmark client + fake Bot API": cpu_of([os.getpid()]),
        "threads": cpu_profile.thread_cpu(sampled["rasa"]),
    }


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def profile_under_load(
    binary: str, target: Target, expected: list[int], chat_ids: Iterator[int]
) -> ProfileRun:
    """PROFILE_CHATS customers, each starting a new chat when one ends; once they are going,
    py-spy samples the first Rasa server and action server for PROFILE_SECONDS."""
    sampled = {role: target.first(role) for role in ("rasa", "actions")}
    replies, stopped, answered = Replies(target.fake, apology_texts()), asyncio.Event(), []

    async def customer(client: httpx.AsyncClient, delay: float) -> None:
        while not stopped.is_set():
            chat = await hold_chat(client, target.webhook_url, next(chat_ids), expected, replies, delay)
            answered.extend(chat.answered_at)
            delay = THINK_SECONDS

    async with client_for(TELEGRAM_CONNECTIONS) as client:
        spread = THINK_SECONDS / PROFILE_CHATS
        customers = [asyncio.create_task(customer(client, n * spread)) for n in range(PROFILE_CHATS)]
        await asyncio.sleep(PROFILE_RAMP_SECONDS)
        names = await asyncio.to_thread(cpu_profile.thread_names, binary, sampled["rasa"])
        before, started = snapshot(target, sampled), time.monotonic()
        recordings = {}
        for role, pid in sampled.items():
            output = PROFILE_DIR / f"profile-{target.setup.key}-{role}.txt"
            recordings[role] = (cpu_profile.start_recording(binary, pid, PROFILE_SECONDS, output), output)
        for process, _ in recordings.values():
            await asyncio.to_thread(process.wait)
        after, seconds = snapshot(target, sampled), time.monotonic() - started
        names |= await asyncio.to_thread(cpu_profile.thread_names, binary, sampled["rasa"])
        stopped.set()
        await asyncio.gather(*customers)
    replies.stop_listening()
    threads: dict[str, float] = {}
    for tid, used in after.pop("threads").items():
        group = cpu_profile.thread_group(names.get(tid))
        threads[group] = threads.get(group, 0.0) + used - before["threads"].get(tid, 0.0)
    samples = {}
    for role, (process, output) in recordings.items():
        if (found := cpu_profile.finish_recording(process, output)) is not None:
            samples[role] = found
    return ProfileRun(
        target.setup,
        seconds,
        sum(started <= at <= started + seconds for at in answered),
        {label: spent(before[label], used) for label, used in after.items() if used},
        threads,
        samples,
    )


def profile(target: Target, expected: list[int], chat_ids: Iterator[int]) -> ProfileRun | None:
    binary = cpu_profile.py_spy_binary()
    if binary is None:
        print("py-spy is not installed (.venv/bin/pip install py-spy): no CPU profile")
        return None
    return asyncio.run(profile_under_load(binary, target, expected, chat_ids))


# --- the whole suite ----------------------------------------------------------------------------


@dataclasses.dataclass
class Results:
    runs: list[LevelRun]
    profiles: list[ProfileRun]
    expected: list[int]
    memory: dict[str, float]  # setup label: resident GB of its servers after the levels
    notes: list[str]
    versions: dict[str, str]
    load_before: tuple[float, float, float]
    minutes: float


def resident_gb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if found := re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE):
            total_kb += int(found[1])
    return total_kb / 1024 / 1024


def versions(services: Services) -> dict[str, str]:
    packages = ("rasa", "rasa-sdk", "python-telegram-bot", "SQLAlchemy", "tensorflow", "jsonschema")
    found = {name: importlib.metadata.version(name) for name in packages}
    with services.postgres.engine.connect() as connection:
        found["PostgreSQL"] = str(connection.execute(text("SHOW server_version")).scalar()).split()[0]
    found["Redis"] = str(redis.Redis.from_url(services.redis_url).info("server")["redis_version"])
    nginx = subprocess.run([nginx_binary() or "nginx", "-v"], capture_output=True, text=True, check=False)
    found["nginx"] = nginx.stderr.strip().rpartition("/")[2] or "?"
    return found


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Meanwhile SIGTERM stops the run as Ctrl-C does: servers stopped, databases dropped."""
    previous = signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def measure() -> Results:
    with sigterm_as_interrupt():
        started, load_before = time.monotonic(), os.getloadavg()
        services = Services.start()
        try:
            found_versions = versions(services)
            runs, profiles, notes, memory, expected = measure_setups(services)
        finally:
            services.close()
    minutes = (time.monotonic() - started) / 60
    return Results(runs, profiles, expected, memory, notes, found_versions, load_before, minutes)


def warm_up_level(setup: Setup) -> Level:
    """Before the levels: two whole conversations for each Rasa server process."""
    return Level(max(2, 2 * setup.rasa_processes), len(SCRIPT))


def measure_setups(
    services: Services,
) -> tuple[list[LevelRun], list[ProfileRun], list[str], dict[str, float], list[int]]:
    # Chat ids no other test uses: the Redis lock store is shared with whatever else runs here.
    chat_ids = itertools.count(random.randrange(10**9, 9 * 10**9) * 1000)
    runs, profiles, notes, memory = [], [], [], {}
    expected: list[int] = []
    for setup in SETUPS:
        print(f"{setup.label}: starting", flush=True)
        with FakeBotApi() as fake, running_target(setup, fake, services) as target:
            counts = asyncio.run(reply_counts(target.webhook_url, fake, next(chat_ids)))  # a warm-up too
            if expected and counts != expected:
                notes.append(f"{setup.label} answers the script with {counts} messages, not {expected}")
            expected = expected or counts
            warm_up = measure_level(target, warm_up_level(setup), counts, chat_ids)
            if warm_up.failed or warm_up.lost or warm_up.duplicated:
                notes.append(f"{setup.label}, warm-up: {warm_up.problems or warm_up.errors}")
            runs += [measure_level(target, level, counts, chat_ids) for level in LEVELS]
            memory[setup.label] = resident_gb(list(target.processes.values()))
            if setup.profiled and (found := profile(target, counts, chat_ids)) is not None:
                profiles.append(found)
            runs.append(measure_level(target, BURST, counts, chat_ids))
    return runs, profiles, notes, memory, expected
