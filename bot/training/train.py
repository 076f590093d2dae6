"""Train the Rasa model only when its inputs changed since the last training."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.training.progress import follow_training

logger = logging.getLogger(__name__)

MODEL_DIR = PROJECT_ROOT / "models"
MODEL_NAME = "atencion"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODEL_DIR / f"{MODEL_NAME}.fingerprint"
SCORES_PATH = MODEL_DIR / f"{MODEL_NAME}.scores.json"  # bot/training/model_scores.py writes it
LOG_PATH = PROJECT_ROOT / "var" / "log" / "train.log"


def training_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    """What the model is made of: its configuration and data, and the code of our NLU components."""
    data = sorted(p for p in (root / "data").rglob("*") if p.is_file())
    code = [*sorted((root / "bot" / "nlu").glob("*.py")), root / "bot" / "training" / "nlu_files.py"]
    return [root / "config.yml", root / "domain.yml", *data, *(p for p in code if p.exists())]


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_is_fresh() -> bool:
    if not MODEL_PATH.exists() or not FINGERPRINT_PATH.exists():
        return False
    return FINGERPRINT_PATH.read_text().strip() == fingerprint()


def quiet_rasa_environment() -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def python_path() -> str:
    """The project first, so config.yml's own components (bot.nlu.unknown_words) import from any root."""
    inherited = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(PROJECT_ROOT), *([inherited] if inherited else [])])


def run_rasa_train(
    model_dir: Path,
    log_path: Path,
    root: Path = PROJECT_ROOT,
    progress: bool = False,
    nlu_only: bool = False,
    **extra_env: str,
) -> Path:
    """`rasa train` of `root`'s config.yml, domain.yml and data/ into `model_dir`; Rasa's long
    output goes to `log_path` (`progress`: a progress line on stderr meanwhile; `nlu_only`: no
    dialogue policies, for comparing NLU pipelines)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    what = (
        ["train", "nlu", "--nlu", "data/nlu"]
        if nlu_only
        else ["train", "--domain", "domain.yml", "--data", "data"]
    )
    command = [
        sys.executable, "-m", "rasa", *what, "--config", "config.yml",
        "--out", str(model_dir), "--fixed-model-name", MODEL_NAME,
    ]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**quiet_rasa_environment(), "PYTHONPATH": python_path(), **extra_env},
        )
    try:
        returncode = follow_training(process, log_path) if progress else process.wait()
    except BaseException:  # Ctrl-C or SIGTERM to us alone: the training must not outlive us
        stop_training(process)
        raise
    model_path = model_dir / f"{MODEL_NAME}.tar.gz"
    if returncode != 0 or not model_path.exists():
        raise RuntimeError(f"rasa train failed (exit {returncode}); see {log_path}")
    return model_path


def stop_training(process: subprocess.Popen, grace: float = 5) -> None:
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def train(log_path: Path = LOG_PATH) -> None:
    """Train `models/atencion.tar.gz` and record the fingerprint of its inputs."""
    expected = fingerprint()
    logger.info("training the model (progress in %s)…", log_path)
    started = time.monotonic()
    run_rasa_train(MODEL_DIR, log_path)
    FINGERPRINT_PATH.write_text(expected + "\n")
    logger.info("model trained in %.0f s: %s", time.monotonic() - started, MODEL_PATH)
    record_held_out_scores()


def record_held_out_scores() -> None:
    """models/atencion.scores.json, for the Rasa server's metrics (bot/training/model_scores.py)."""
    from bot.training import model_scores  # it loads the model and TensorFlow: only when needed

    model_scores.record(MODEL_PATH)


def ensure_model() -> Path:
    if model_is_fresh():
        logger.info("model is up to date: %s", MODEL_PATH)
        if not SCORES_PATH.exists():  # trained before its scores were kept
            record_held_out_scores()
    else:
        train()
    return MODEL_PATH
