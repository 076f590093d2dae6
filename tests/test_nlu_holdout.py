"""The real model on the held-out set, which is never used for training."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.evaluation import evaluate, holdout_paths, load_agent, load_examples, markdown_report
from bot.text import fold

REQUIRED_MACRO_F1 = 0.90
ARTIFACTS = Path(__file__).parent / "artifacts"


def training_texts() -> set[str]:
    texts = set()
    for path in (Path(__file__).parents[1] / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.add(fold(line.strip()[2:]))
    return texts


@pytest.mark.parametrize("path", holdout_paths(), ids=lambda p: p.stem)
def test_each_held_out_set_is_big_enough_and_never_in_training(path):
    examples = load_examples([path])
    per_intent = {i: sum(e.intent == i for e in examples) for i in ("duda", "queja", "solicitud")}
    assert min(per_intent.values()) >= 40, per_intent
    trained_on = training_texts()
    leaked = [e.text for e in examples if fold(e.text) in trained_on]
    assert leaked == []


@pytest.fixture(scope="module")
def agent(trained_model: Path):
    return load_agent(trained_model)


@pytest.mark.slow
@pytest.mark.parametrize("path", holdout_paths(), ids=lambda p: p.stem)
def test_macro_f1_over_duda_queja_solicitud_reaches_the_bar(agent, path):
    scores = evaluate(agent, load_examples([path]))
    report = markdown_report(scores)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{path.stem}.md").write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
    assert scores.macro_f1() >= REQUIRED_MACRO_F1, report
