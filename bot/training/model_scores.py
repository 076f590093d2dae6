"""The held-out macro-F1 of a trained model, measured right after training (and after a retraining's
promotion or rollback) and kept beside it with the model's id: models/atencion.scores.json. A Rasa
server reports it to Prometheus only for the model it answers with."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from bot.training.evaluation import evaluate, load_agent
from bot.training.nlu_files import holdout_paths, load_examples

logger = logging.getLogger(__name__)


def scores_path(model: Path) -> Path:
    """models/atencion.tar.gz → models/atencion.scores.json (`bot.training.train.SCORES_PATH`)"""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".scores.json")


def measure(model: Path) -> dict[str, Any]:
    """The model's id and its macro-F1 over the core intents on each held-out set, by file name."""
    agent = load_agent(model)
    by_set = {
        path.stem: round(evaluate(agent, load_examples([path])).macro_f1(), 4) for path in holdout_paths()
    }
    return {"model_id": agent.model_id, "macro_f1": by_set}


def record(model: Path) -> dict[str, Any]:
    measured = measure(model)
    scores_path(model).write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
    logger.info("held-out macro-F1 of %s: %s", model.name, measured["macro_f1"])
    return measured


def held_out_scores(model_id: str | None, model: Path) -> dict[str, float]:
    """The recorded scores of the model `model_id`; none when they belong to another model."""
    try:
        recorded = json.loads(scores_path(model).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(recorded.get("macro_f1") or {}) if model_id and recorded.get("model_id") == model_id else {}
