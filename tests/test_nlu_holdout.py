"""The real model on the held-out sets, which are never trained on, beside the TF-IDF baseline
trained on the same data in the same run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.training.baseline import baseline_predictions, train_baseline
from bot.training.evaluation import Scores, load_agent, markdown_report, predict, score_predictions
from bot.training.leaks import find_leaks, leak_key
from bot.training.nlu_files import CORE_INTENTS, Example, holdout_paths, load_examples, training_paths

ARTIFACTS = Path(__file__).parent / "artifacts"
SET_C = "nlu_holdout_c"
# Macro-F1 over duda, queja and solicitud: the floor on each set, and how far above the baseline the
# model must stay. These are today's floors (benchmarks/results.md), kept so that nothing slips back.
# They are issue 17's targets (0.95 in the shop's domain, 0.85 off it, +0.03 over the baseline on
# every set; duda topic 0.95), raised on C to what it scores today less a little noise.
REQUIRED_MACRO_F1 = {"nlu_holdout": 0.95, "nlu_holdout_b": 0.95, SET_C: 0.94}
REQUIRED_MARGIN = {"nlu_holdout": 0.03, "nlu_holdout_b": 0.03, SET_C: 0.03}
REQUIRED_TOPIC_ACCURACY = 0.95
# The fallback, tuned on set A only: on the other sets it must catch at least this share of the
# mistakes while sending at most that share of the right answers to the clarifying question.
REQUIRED_CAUGHT = 0.40
ALLOWED_FALSE_ALARMS = 0.05


def per_core_intent(examples: list[Example]) -> dict[str, int]:
    return {intent: sum(e.intent == intent for e in examples) for intent in CORE_INTENTS}


@pytest.mark.parametrize("path", holdout_paths(), ids=lambda p: p.stem)
def test_each_held_out_set_is_big_enough(path):
    examples = load_examples([path])
    least = 80 if path.stem == SET_C else 40
    assert min(per_core_intent(examples).values()) >= least, per_core_intent(examples)
    if path.stem == SET_C:
        assert len(examples) >= 300


def test_no_held_out_sentence_is_a_near_copy_of_a_training_sentence():
    leaks = find_leaks(load_examples(holdout_paths()), load_examples(training_paths()))
    assert [(leak.heldout.source, leak.heldout.text) for leak in leaks] == []


def test_no_two_held_out_sentences_are_near_copies_of_each_other():
    examples = load_examples(holdout_paths())
    leaks = []
    for index, example in enumerate(examples):
        leaks += find_leaks([example], examples[index + 1 :])
    assert [(leak.heldout.text, leak.training.text) for leak in leaks] == []


@pytest.mark.parametrize(
    "heldout, training",
    [
        ("¿Cuánto tarda un envío a Canarias? 😊", "cuanto tarda un envio a canarias"),
        ("CANCELEN EL PEDIDO PED-1234567!!!", "cancelen el pedido PED-7654321"),
        ("quiero cambiar la talla de la camisa", "quiero cambiar la talla de la falda"),
        ("el pedido llegó roto y nadie responde", "nadie responde y el pedido llegó roto"),
    ],
)
def test_folded_case_accents_punctuation_emoji_and_one_changed_word_are_leaks(heldout, training):
    assert find_leaks([Example(heldout, "x")], [Example(training, "x")])


@pytest.mark.parametrize(
    "heldout, training",
    [
        ("¿Cuánto tarda un envío a Canarias?", "¿aceptan pagos con Bizum?"),
        ("quiero cancelar mi pedido", "mi pedido llegó tarde y estoy harta"),
    ],
)
def test_different_sentences_are_not_leaks(heldout, training):
    assert not find_leaks([Example(heldout, "x")], [Example(training, "x")])


def test_the_leak_key_drops_case_accents_punctuation_and_emoji():
    assert (
        leak_key("¡¿Envían a MÉXICO?! 🙏🏽 #envios @Tienda PED-4021937")
        == "envian a mexico envios tienda ped 0"
    )


def test_set_c_is_what_the_two_labellers_settled():
    scripts = Path(__file__).parents[1] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        from build_holdout_c import rows, settled_labels
    finally:
        sys.path.remove(str(scripts))
    labels, kappa = settled_labels()
    texts = {row["text"]: labels[message_id] for message_id, row in rows("set_c_messages.tsv").items()}
    in_the_set = {e.text: e.intent for e in load_examples([p for p in holdout_paths() if p.stem == SET_C])}
    assert in_the_set == texts
    assert kappa >= 0.8


@pytest.fixture(scope="module")
def agent(trained_model: Path):
    return load_agent(trained_model)


@pytest.fixture(scope="module")
def baseline():
    return train_baseline(load_examples(training_paths()))


@pytest.fixture(scope="module")
def scored(agent, baseline) -> dict[str, tuple[Scores, Scores]]:
    """Per held-out set: the model's scores and the baseline's, measured in this run."""
    results = {}
    for path in holdout_paths():
        examples = load_examples([path])
        texts = [e.text for e in examples]
        model = score_predictions(examples, predict(agent, texts))
        base = score_predictions(examples, baseline_predictions(baseline, texts))
        results[path.stem] = (model, base)
        ARTIFACTS.mkdir(exist_ok=True)
        report = f"{markdown_report(model)}\n\nBaseline macro-F1: {base.macro_f1():.3f}\n"
        (ARTIFACTS / f"{path.stem}.md").write_text(report, encoding="utf-8")
        print(f"\n{path.stem}\n{report}")
    return results


@pytest.mark.slow
@pytest.mark.parametrize("path", holdout_paths(), ids=lambda p: p.stem)
def test_the_model_beats_the_baseline_trained_in_the_same_run(scored, path):
    model, base = scored[path.stem]
    assert model.macro_f1() >= REQUIRED_MACRO_F1[path.stem], markdown_report(model)
    assert model.macro_f1() >= base.macro_f1() + REQUIRED_MARGIN[path.stem], (
        model.macro_f1(),
        base.macro_f1(),
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in holdout_paths() if p.stem != SET_C], ids=lambda p: p.stem)
def test_the_response_selector_finds_the_duda_topic(scored, path):
    model, _ = scored[path.stem]
    assert model.topic_accuracy >= REQUIRED_TOPIC_ACCURACY


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", [p for p in holdout_paths() if p.stem != "nlu_holdout"], ids=lambda p: p.stem
)
def test_the_fallback_catches_mistakes_and_spares_right_answers(scored, path):
    model, _ = scored[path.stem]
    assert model.false_alarms <= ALLOWED_FALSE_ALARMS, markdown_report(model)
    assert model.caught >= REQUIRED_CAUGHT, markdown_report(model)
