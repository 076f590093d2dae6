"""`python -m bot retrain` and `rollback`: a candidate model trained with the labelled examples,
judged beside production on the held-out sets, promoted only when it is not worse, and loaded
into the running Rasa server without a restart.

The candidate trains in a scratch copy of config.yml, domain.yml and data/ (plus the new
data/nlu/from_conversations.yml): a refused candidate leaves the project's data untouched, so
`make run` never trains it back in.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from redis.exceptions import RedisError
from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.ops import model_reload
from bot.review.model_store import CONVERSATION_EXAMPLES, ModelStore
from bot.review.rasa_api import RasaRefused, RasaUnavailable, load_model
from bot.review.retrain_report import confusion_png, markdown
from bot.review.training_data import labelled_examples, nlu_yaml
from bot.review.verdict import Gate, Verdict, judge
from bot.store.models import utcnow
from bot.training import model_scores
from bot.training.evaluation import Scores, evaluate, load_agent
from bot.training.leaks import leaking_texts
from bot.training.train import run_rasa_train

logger = logging.getLogger(__name__)

REPORTS_DIR = PROJECT_ROOT / "reports"
SHARED_CACHE = PROJECT_ROOT / ".rasa" / "cache"  # components whose inputs did not change are reused


@dataclass(frozen=True)
class Server:
    """The running Rasa server to load a promoted model into; in a cluster (`python -m bot cluster`),
    `replicas` are its Rasa servers' own addresses, and each of them loads it. With a Redis lock
    store every process of every Rasa server is told through it (a server of several processes,
    SANIC_WORKERS, cannot be reached process by process)."""

    url: str
    token: str
    replicas: tuple[str, ...] = ()
    lock_store_url: str | None = None


@dataclass(frozen=True)
class Outcome:
    examples: int  # labelled texts the candidate learnt from
    leaking: tuple[str, ...] = ()  # labelled texts left out: near-copies of held-out sentences
    verdict: Verdict | None = None  # None: there was nothing to learn
    report: Path | None = None
    candidate: Path | None = None
    server: str = ""  # what the running server did: loaded it, was not running, refused


def quick_config(config: Path, epochs: int) -> str:
    """config.yml with every `epochs` set to `epochs`: a quick trial (tests), not for production."""
    loaded = yaml.safe_load(config.read_text(encoding="utf-8"))
    for part in (*loaded.get("pipeline", []), *loaded.get("policies", [])):
        if "epochs" in part:
            part["epochs"] = epochs
    return yaml.safe_dump(loaded, allow_unicode=True, sort_keys=False)


def scratch_project(store: ModelStore, scratch: Path, examples: str, epochs: int | None) -> Path:
    root = scratch / "project"
    shutil.copytree(store.root / "data", root / "data")
    shutil.copyfile(store.root / "domain.yml", root / "domain.yml")
    config = store.root / "config.yml"
    if epochs is None:
        shutil.copyfile(config, root / "config.yml")
    else:
        (root / "config.yml").write_text(quick_config(config, epochs), encoding="utf-8")
    (root / CONVERSATION_EXAMPLES).write_text(examples, encoding="utf-8")
    return root


def scores_of(model: Path) -> Scores:
    return evaluate(load_agent(model))


def retrain(
    session_factory: sessionmaker,
    store: ModelStore,
    gate: Gate,
    server: Server | None,
    reports: Path = REPORTS_DIR,
    epochs: int | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Outcome:
    if not store.current.exists():
        raise FileNotFoundError(f"no production model at {store.current}: train one first (make run)")
    with session_factory() as session:
        examples, leaking = without_leaks(labelled_examples(session))
    count = sum(len(texts) for texts in examples.values())
    if not count:
        return Outcome(0, leaking)
    started, began = clock(), time.monotonic()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    data = nlu_yaml(examples)
    candidate_dir = store.models / "candidates" / stamp
    with tempfile.TemporaryDirectory() as scratch:
        root = scratch_project(store, Path(scratch), data, epochs)
        log = PROJECT_ROOT / "var" / "log" / f"retrain-{stamp}.log"
        logger.info("training the candidate with %s labelled examples (log: %s)…", count, log)
        cache = str(SHARED_CACHE)
        candidate = run_rasa_train(candidate_dir, log, root=root, progress=True, RASA_CACHE_DIRECTORY=cache)
    logger.info("evaluating production and the candidate on the held-out sets…")
    store.prune_candidates()
    judged = Judged(scores_of(store.current), scores_of(candidate), gate)
    seconds = time.monotonic() - began
    report = write_report(reports / f"retrain-{stamp}", judged, count, candidate, started, seconds)
    verdict = judged.verdict
    if not verdict.promote:
        return Outcome(count, leaking, verdict, report, candidate, "unchanged: the candidate was refused")
    store.promote(candidate, data, started)
    model_scores.record(store.current)
    return Outcome(count, leaking, verdict, report, candidate, reload(server, store.current))


def without_leaks(examples: dict[str, list[str]]) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """The labelled examples minus those that are near-copies of a held-out sentence: training on
    them would make the held-out sets, and so the gate, flatter the candidate."""
    leaking = leaking_texts([text for texts in examples.values() for text in texts])
    kept = {label: [t for t in texts if t not in leaking] for label, texts in examples.items()}
    return {label: texts for label, texts in kept.items() if texts}, tuple(sorted(leaking))


@dataclass(frozen=True)
class Judged:
    production: Scores
    candidate: Scores
    gate: Gate

    @property
    def verdict(self) -> Verdict:
        return judge(self.production, self.candidate, self.gate)


def write_report(
    base: Path, judged: Judged, count: int, candidate: Path, started: datetime, seconds: float
) -> Path:
    """`<base>.md` and its `<base>-confusion.png`."""
    base.parent.mkdir(parents=True, exist_ok=True)
    png = base.with_name(f"{base.name}-confusion.png")
    confusion_png(judged.production, judged.candidate, png)
    text = markdown(
        judged.verdict,
        judged.production,
        judged.candidate,
        examples_added=count,
        candidate_path=str(candidate),
        png_name=png.name,
        started=started,
        took_seconds=seconds,
    )
    path = base.with_suffix(".md")
    path.write_text(text, encoding="utf-8")
    return path


def reload(server: Server | None, model: Path) -> str:
    """Load `model` into the running server, or into each of a cluster's servers in turn (one
    pauses while it loads, the others keep serving); what happened, for the operator."""
    if server is None:
        return "no server to reload"
    if server.lock_store_url:
        try:
            return model_reload.broadcast(server.lock_store_url, model).summary()
        except RedisError as error:
            return f"the Redis of LOCK_STORE_URL did not answer ({error}): restart the Rasa servers"
    if not server.replicas:
        return reload_one(server.url, server.token, model)
    said = [reload_one(url, server.token, model) for url in server.replicas]
    return f"cluster of {len(server.replicas)} Rasa servers: " + "; ".join(said)


def reload_one(url: str, token: str, model: Path) -> str:
    try:
        load_model(url, token, model)
    except RasaUnavailable:
        return f"no Rasa server running at {url}: it will serve the new model when it starts"
    except RasaRefused as error:
        return f"the Rasa server at {url} refused to load it ({error}); restart it to serve the new model"
    return f"loaded into the Rasa server at {url}"


def rollback(
    store: ModelStore, server: Server | None, clock: Callable[[], datetime] = utcnow
) -> tuple[Path | None, str]:
    """The previous model back in production (and in the running server)."""
    restored = store.rollback(clock())
    if restored is None:
        return None, "no previous model is kept: nothing to go back to"
    model_scores.record(store.current)
    return restored, reload(server, store.current)
