"""Follow `rasa train`'s log and show its progress: a bar on a terminal, one line per stage elsewhere.

What Rasa 3.6 writes to the log (stdout and stderr together), in order:

    … INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.
    \\nEpochs:   0%|          | 0/60 [00:00<?, ?it/s]\\rEpochs:   2%|▏         | 1/60 [00:08<…]\\r…
    … INFO     rasa.engine.training.hooks  - Finished training component 'DIETClassifier'.
    …
    Your Rasa model is trained and saved at '…/atencion.tar.gz'.

tqdm rewrites its bars with carriage returns. Only the "Epochs:" bars count epochs; the "Processed
story blocks / trackers / actions / rules" bars are data preparation. Components restored from
Rasa's cache log "Restored component 'X' from cache." and no "Starting" line, so they are no stage.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

PREPARING = "preparing"

_STAGE = re.compile(r"Starting to train component '([^']+)'")
# "Epochs:  45%|████▌     | 27/60 [00:03<00:04, …]": the " [" after the count excludes a bar half written.
_EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|\r\n]*\|\s*(\d+)/(\d+) \[")
_TRAINED = "Your Rasa model is trained and saved at"


@dataclass(frozen=True)
class Progress:
    stage: str  # the component being trained ("DIETClassifier", "TEDPolicy", …) or PREPARING
    done: int  # epochs done in this stage, 0 when unknown
    total: int  # epochs of this stage, 0 when unknown (or the component has no epochs)
    finished: bool  # the log says the model is trained


def read_progress(log_text: str) -> Progress:
    """The latest state that `rasa train`'s log shows."""
    stages = list(_STAGE.finditer(log_text))
    stage, since = (stages[-1].group(1), stages[-1].end()) if stages else (PREPARING, 0)
    epochs = list(_EPOCHS.finditer(log_text, since))
    done, total = (int(epochs[-1].group(1)), int(epochs[-1].group(2))) if epochs else (0, 0)
    return Progress(stage, done, total, _TRAINED in log_text)


def follow_training(
    process: subprocess.Popen, log_path: Path, out: TextIO = sys.stderr, every: float = 0.5
) -> int:
    """Show the progress of the `rasa train` in `process`, which logs to `log_path`, until it exits.

    Returns its exit code."""
    show = _Bar(out) if out.isatty() else _Stages(out)
    started = time.monotonic()
    progress, code = read_progress(""), None
    try:
        while code is None:
            code = process.poll()  # before reading, so that the last read sees the whole log
            progress = read_progress(_read(log_path))
            show.update(progress, time.monotonic() - started)
            if code is None:
                time.sleep(every)
    finally:
        show.end(progress, code, time.monotonic() - started)
    return code


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as log:  # keeps the \r
            return log.read()
    except FileNotFoundError:
        return ""


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


class _Bar:
    """One line, rewritten in place: `entrenando DIETClassifier ██████░░░░ 27/60 épocas · 1:12`."""

    width = 10

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.line = ""

    def update(self, progress: Progress, elapsed: float) -> None:
        if progress.stage == PREPARING:
            line = "preparando los datos"
        elif progress.total:
            filled = self.width * progress.done // progress.total
            bar = "█" * filled + "░" * (self.width - filled)
            line = f"entrenando {progress.stage} {bar} {progress.done}/{progress.total} épocas"
        else:
            line = f"entrenando {progress.stage}"
        self._write(f"{line} · {_clock(elapsed)}")

    def end(self, progress: Progress, code: int | None, elapsed: float) -> None:
        if code == 0 and progress.finished:
            self._write(f"modelo entrenado · {_clock(elapsed)}")
        elif code is not None:
            self._write(f"el entrenamiento falló (código {code}) · {_clock(elapsed)}")
        self.out.write("\n")
        self.out.flush()

    def _write(self, line: str) -> None:
        if line == self.line:
            return
        self.out.write("\r" + line.ljust(len(self.line)))
        self.out.flush()
        self.line = line


class _Stages:
    """One plain line per stage, for logs and CI: `training DIETClassifier (60 epochs)…`.

    A stage's epochs show up in the log a moment after its start, so its line waits for them,
    or for the next stage (then it has none)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.stage: str | None = None
        self.waiting = False

    def update(self, progress: Progress, elapsed: float) -> None:
        if progress.stage != self.stage:
            self._announce()
            self.stage, self.waiting = progress.stage, True
        if progress.total or progress.stage == PREPARING:
            self._announce(progress.total)

    def end(self, progress: Progress, code: int | None, elapsed: float) -> None:
        self._announce()
        if code == 0 and progress.finished:
            self._say(f"model trained in {_clock(elapsed)}")
        elif code is not None:
            self._say(f"rasa train failed (exit {code}) after {_clock(elapsed)}")

    def _announce(self, total: int = 0) -> None:
        if not self.waiting:
            return
        self.waiting = False
        if self.stage == PREPARING:
            self._say("preparing the training data…")
        else:
            self._say(f"training {self.stage} ({total} epochs)…" if total else f"training {self.stage}…")

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()
