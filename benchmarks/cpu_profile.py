"""Where a turn's time goes: py-spy samples of running servers, grouped into parts of a turn.

py-spy (`pip install py-spy`: a tool, not a dependency of the project; nothing here imports it)
records the Python stacks of a process from outside, without restarting it. Its own idle
detection counted threads waiting in native code (uvloop's epoll) as busy here: at 10 chats it
reported 1.2 busy cores for a Rasa server that used 0.37 (/proc). So every sample is recorded
(`--idle`) and the idle ones are told apart here by their innermost frame: the Rasa server's
event loop (its main thread) is idle when it is back in uvloop's `run_forever`, i.e. in Sanic's
`serve`. What remains is the event loop's busy time: CPU, and blocking calls made from the loop
(SQLite's commits). The CPU of each thread, native ones included, is read from /proc.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bot.config import PROJECT_ROOT

SAMPLES_PER_SECOND = 100
MAIN_THREAD_ROOT = ("_run_module_as_main", "runpy.py")
IDLE_LEAVES = {("serve", "sanic/server/runners.py")}  # uvloop's run_forever: waiting for events
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*):(?P<line>\d+)\)$")

Frame = tuple[str, str]  # (function, file relative to its package root)


@dataclasses.dataclass(frozen=True)
class Rule:
    """A part of a turn: stacks with a frame in one of `files` (a prefix, or a function name
    after `::`). With `below`, the frame must also be deeper than any frame in `below`: our
    channel's frames hold Rasa's whole turn, which is Rasa's time, not ours."""

    label: str
    files: tuple[str, ...]
    below: tuple[str, ...] = ()

    def deepest(self, frames: list[Frame]) -> int | None:
        found = None
        for depth, frame in enumerate(frames):
            if any(matches(frame, pattern) for pattern in self.files):
                found = depth
        return found

    def applies(self, frames: list[Frame]) -> bool:
        depth = self.deepest(frames)
        if depth is None:
            return False
        return not any(matches(frame, pattern) for frame in frames[depth + 1 :] for pattern in self.below)


OURS = ("bot/", "actions/")

RASA_SERVER_PARTS = (
    Rule("NLU: DIET classifier (TensorFlow)", ("rasa/nlu/classifiers/diet_classifier.py",)),
    Rule("NLU: ResponseSelector (TensorFlow)", ("rasa/nlu/selectors/response_selector.py",)),
    Rule("Dialogue: TED policy (TensorFlow)", ("rasa/core/policies/ted_policy.py",)),
    Rule(
        "NLU: spaCy, tokenizer, featurizers",
        (
            "rasa/nlu/featurizers/",
            "rasa/nlu/tokenizers/",
            "rasa/nlu/utils/spacy_utils.py",
            "spacy/",
            "thinc/",
        ),
    ),
    Rule("NLU: other components (extractors, regex, fallback)", ("rasa/nlu/",)),
    Rule("Dialogue: rule and memoization policies, ensemble", ("rasa/core/policies/",)),
    Rule("Tracker store (Rasa's SQLTrackerStore: SQL, events JSON)", ("rasa/core/tracker_store.py",)),
    Rule("Lock store", ("rasa/core/lock_store.py", "bot/store/lock_store.py", "redis/")),
    Rule(
        "Ours: the channel's store work (inbox, customer, survey and handoff checks)",
        (
            "bot/telegram/store_work.py",
            "bot/telegram/inbox.py",
            "bot/store/inbox.py",
            "bot/customers.py",
            "bot/survey/store.py",
            "bot/handoff/rules.py",
        ),
        below=("rasa/",),
    ),
    Rule(
        "Ours: sending replies (bot/telegram/output, delivery + python-telegram-bot, httpx)",
        (
            "bot/telegram/output.py",
            "bot/telegram_api/delivery.py",
            "bot/telegram_api/splitting.py",
            "bot/telegram_api/keyboards.py",
            "bot/telegram_api/bot_thread.py",
        ),
        below=("rasa/",),
    ),  # fmt: skip
    Rule(
        "Ours: webhook, reading updates (bot/telegram/input, incoming)",
        ("bot/telegram/input.py", "bot/telegram_api/incoming.py"),
        below=("rasa/",),
    ),
    Rule("Ours: other (bot/, actions/)", OURS, below=("rasa/",)),
    Rule(
        "Action server calls (tracker to JSON, HTTP client)",
        ("::_action_call_format", "rasa/utils/endpoints.py", "aiohttp/"),
    ),
    Rule("Rasa core: processor, trackers, events, graph", ("rasa/",)),
    Rule("Sanic HTTP server", ("sanic/",)),
    Rule("python-telegram-bot, httpx (outside our frames)", ("telegram/", "httpx/", "httpcore/")),
    Rule("asyncio event loop, threads", ("asyncio/", "threading.py", "concurrent/")),
)

ACTION_SERVER_PARTS = (
    Rule("Ours: actions and the case store (actions/, bot/)", OURS, below=("rasa_sdk/",)),
    Rule("rasa_sdk: tracker, dispatcher, executor", ("rasa_sdk/",)),
    Rule("Sanic HTTP server", ("sanic/",)),
    Rule("asyncio event loop, threads", ("asyncio/", "threading.py", "concurrent/")),
)

COMMITS = "SQL commits (SQLite: waiting for the disk's fsync)"
ACTION_RESPONSE_CHECK = "Rasa checking each custom action's response (jsonschema)"
CROSS_CUTTING = {  # inclusive: any frame of the stack in one of these
    "JSON (json, ujson)": ("json/", "ujson", "rapidjson"),
    "logging": ("logging/", "structlog/"),
    "copy.deepcopy": ("copy.py",),
    "SQLAlchemy + driver": ("sqlalchemy/", "sqlite3/", "psycopg2/"),
    "TensorFlow / Keras": ("tensorflow/", "keras/"),
    COMMITS: ("::do_commit",),
    ACTION_RESPONSE_CHECK: ("::_validate_action_result",),
}


def matches(frame: Frame, pattern: str) -> bool:
    function, file = frame
    if pattern.startswith("::"):
        return function == pattern[2:]
    return file.startswith(pattern) or file == pattern


def relative(file: str) -> str:
    """A file as its package sees it: `rasa/core/...`, `json/encoder.py`, `bot/telegram/...`."""
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in file:
            return file.split(marker, 1)[1]
    root = f"{PROJECT_ROOT}/"
    if file.startswith(root):
        return file[len(root) :]
    python_lib = re.match(r"^/.*/lib/python3\.\d+/(.*)$", file)
    return python_lib.group(1) if python_lib else file


def parse_frame(text: str) -> Frame:
    found = FRAME.match(text)
    if not found:
        return text, ""
    return found["function"], relative(found["file"])


@dataclasses.dataclass
class Samples:
    """py-spy's raw (collapsed) stacks: each stack root first, with how often it was seen."""

    stacks: list[tuple[list[Frame], int]]

    @classmethod
    def read(cls, path: Path) -> Samples:
        stacks = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                stacks.append(([parse_frame(part) for part in stack.split(";")], int(count)))
        return cls(stacks)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.stacks)

    def parts(self, rules: Iterable[Rule]) -> Counter[str]:
        """Samples by the first rule each stack meets."""
        rules = list(rules)
        counted: Counter[str] = Counter()
        for frames, count in self.stacks:
            label = next((rule.label for rule in rules if rule.applies(frames)), "other")
            counted[label] += count
        return counted

    def leaf_libraries(self) -> Counter[str]:
        """Samples by the package of the innermost frame (where the CPU actually was)."""
        counted: Counter[str] = Counter()
        for frames, count in self.stacks:
            file = frames[-1][1] if frames else ""
            counted[file.split("/")[0].removesuffix(".py") or "(native)"] += count
        return counted

    def event_loop_busy(self) -> Samples:
        """The main thread's samples (the server's event loop) when it was not waiting for events."""
        return Samples(
            [
                (frames, count)
                for frames, count in self.stacks
                if frames and frames[0] == MAIN_THREAD_ROOT and frames[-1] not in IDLE_LEAVES
            ]
        )

    def cross_cutting(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for frames, count in self.stacks:
            for label, patterns in CROSS_CUTTING.items():
                if any(matches(frame, pattern) for frame in frames for pattern in patterns):
                    counted[label] += count
        return counted

    def ours(self, below: tuple[str, ...]) -> Counter[str]:
        """Samples in our functions and what they call, by our innermost function, leaving out
        stacks where a frame of `below` (the framework) lies deeper than ours."""
        counted: Counter[str] = Counter()
        for frames, count in self.stacks:
            depth = Rule("ours", OURS).deepest(frames)
            if depth is None:
                continue
            deeper = frames[depth + 1 :]
            if any(matches(frame, pattern) for frame in deeper for pattern in below):
                continue
            function, file = frames[depth]
            counted[f"{file}: {function}"] += count
        return counted


def py_spy_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("py-spy")
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def start_recording(binary: str, pid: int, seconds: int, output: Path) -> subprocess.Popen:
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [
        binary, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(SAMPLES_PER_SECOND),
        "--format", "raw", "--output", str(output), "--idle",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_recording(process: subprocess.Popen, output: Path) -> Samples | None:
    """The samples, or None (with py-spy's words on stderr) when it recorded nothing."""
    said, _ = process.communicate()
    if process.returncode != 0 or not output.exists():
        print(f"py-spy failed ({process.returncode}): {said.strip()[-500:]}", file=sys.stderr)
        return None
    return Samples.read(output)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each thread of a process, by thread id."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(task.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def thread_names(binary: str, pid: int) -> dict[int, str]:
    """Python's name for each thread that runs Python (`py-spy dump`: `Thread 123 (idle): "name"`)."""
    said = subprocess.run([binary, "dump", "--pid", str(pid)], capture_output=True, text=True, check=False)
    names = {}
    for line in said.stdout.splitlines():
        if found := re.match(r'^Thread (\d+) \([^)]*\): "(.*)"', line):
            names[int(found[1])] = found[2]
    return names


def thread_group(name: str | None) -> str:
    if name is None:
        return "threads without Python (TensorFlow's pools, libuv)"
    if name == "MainThread":
        return "event loop (main thread)"
    if name.startswith(("asyncio_", "uvloop_", "ThreadPoolExecutor")):
        return "worker threads (asyncio.to_thread: our store work on PostgreSQL)"
    return f"thread {name}"


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every core added up."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def listen_overflows() -> int:
    """Connections the kernel dropped since boot because a listening socket's accept queue was
    full (TcpExt ListenOverflows, the whole machine)."""
    lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()]
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names[0] == "TcpExt:" and "ListenOverflows" in names:
            return int(values[names.index("ListenOverflows")])
    return 0


def processes_mentioning(fragment: str) -> list[int]:
    """Processes whose command line contains `fragment` (PostgreSQL names each backend's
    database in its title)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if fragment in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def children_of(parent: int) -> dict[int, list[str]]:
    """The direct children of `parent`: pid and command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent_pid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = [part.decode() for part in (entry / "cmdline").read_bytes().split(b"\0") if part]
        except (OSError, IndexError, ValueError):
            continue
        if parent_pid == parent:
            found[int(entry.name)] = command
    return found
