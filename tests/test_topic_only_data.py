"""Questions marked `topic_only` teach which FAQ a duda is about, not whether a message is a duda."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.nlu.linear_classifier import LinearIntentClassifier
from bot.nlu.linear_response_selector import LinearResponseSelector
from bot.training.baseline import train_baseline
from bot.training.nlu_files import examples_in, training_paths

NLU = """
version: "3.1"
nlu:
- intent: duda/envios
  metadata:
    topic_only: true
  examples: |
    - si compro hoy desde Tenerife para cuándo lo tendría
- intent: duda/envios
  examples: |
    - cuánto tarda el envío
- intent: queja
  examples: |
    - mi pedido llegó roto
"""


def texts(labelled) -> list[str]:
    return sorted(message.get("text") for message, _ in labelled)


def test_the_act_classifier_skips_them_and_the_faq_selector_learns_them(tmp_path: Path):
    data = RasaYAMLReader().reads(NLU)
    storage = LocalModelStorage(tmp_path)
    acts = LinearIntentClassifier.create({}, storage, Resource("acts"), None)
    topics = LinearResponseSelector.create({}, storage, Resource("topics"), None)

    assert texts(acts.labelled(data)) == ["cuánto tarda el envío", "mi pedido llegó roto"]
    assert texts(topics.labelled(data)) == [
        "cuánto tarda el envío",
        "si compro hoy desde Tenerife para cuándo lo tendría",
    ]


def test_the_baseline_learns_the_act_from_the_same_examples_as_the_model(tmp_path: Path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU, encoding="utf-8")
    examples = examples_in(path)
    assert [e.topic_only for e in examples] == [True, False, False]

    baseline = train_baseline(examples)
    assert baseline[-1].classes_.tolist() == ["duda", "queja"]
    assert "tener" not in baseline[0].vocabulary_  # «Tenerife», in the topic-only question only


def test_the_project_marks_its_situation_questions_topic_only():
    marked = [e for path in training_paths() for e in examples_in(path) if e.topic_only]
    assert len(marked) > 200
    assert {e.intent for e in marked} == {"duda"} and all(e.topic for e in marked)
