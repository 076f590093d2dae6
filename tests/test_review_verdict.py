"""Promoting a retrained NLU model only if it is not worse (bot/review/verdict.py) and the report the
run leaves behind (bot/review/retrain_report.py)."""

from __future__ import annotations

import struct
from datetime import datetime, timezone
from pathlib import Path

import matplotlib
import pytest

from bot.review.retrain_report import confusion_labels, confusion_png, markdown
from bot.review.verdict import Gate, judge
from bot.training.evaluation import Scores, score

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def scored(*rows: tuple[str, str, int], topic_hits: tuple[bool, ...] = (True,)) -> Scores:
    """Scores from (expected, predicted, how many times) rows."""
    expected, predicted = [], []
    for wanted, got, times in rows:
        expected += [wanted] * times
        predicted += [got] * times
    return score(expected, predicted, list(topic_hits))


# Every example right: P = R = F1 = 1 for all three, macro-F1 1.000.
PERFECT = scored(("duda", "duda", 4), ("queja", "queja", 4), ("solicitud", "solicitud", 4))

# One queja taken for a solicitud:
#   duda      P 4/4 = 1      R 4/4 = 1     F1 1
#   queja     P 3/3 = 1      R 3/4 = 0.75  F1 2·0.75/1.75 = 0.857143
#   solicitud P 4/5 = 0.8    R 4/4 = 1     F1 2·0.8/1.8  = 0.888889
#   macro-F1 (1 + 0.857143 + 0.888889) / 3 = 0.915344
QUEJA_MISSED = scored(
    ("duda", "duda", 4), ("queja", "queja", 3), ("queja", "solicitud", 1), ("solicitud", "solicitud", 4)
)

# With two greetings: production gets both right; the candidate takes one for a duda, which only costs
# duda precision, so every core recall stays 1.0:
#   duda      P 4/5 = 0.8    R 1   F1 0.888889
#   macro-F1 (0.888889 + 1 + 1) / 3 = 0.962963 → "0.963"
WITH_GREETINGS = scored(
    ("duda", "duda", 4), ("queja", "queja", 4), ("solicitud", "solicitud", 4), ("saludo", "saludo", 2)
)
GREETING_AS_DUDA = scored(
    ("duda", "duda", 4),
    ("queja", "queja", 4),
    ("solicitud", "solicitud", 4),
    ("saludo", "saludo", 1),
    ("saludo", "duda", 1),
)


def test_equal_models_are_promoted():
    verdict = judge(QUEJA_MISSED, QUEJA_MISSED)
    assert verdict.promote
    assert verdict.reasons == []
    assert verdict.production_f1 == verdict.candidate_f1 == pytest.approx(0.915344, abs=1e-6)
    assert verdict.recall_changes == {"duda": (1.0, 1.0), "queja": (0.75, 0.75), "solicitud": (1.0, 1.0)}


def test_a_better_candidate_is_promoted():
    verdict = judge(QUEJA_MISSED, PERFECT)
    assert verdict.promote
    assert verdict.reasons == []
    assert verdict.production_f1 == pytest.approx(0.915344, abs=1e-6)
    assert verdict.candidate_f1 == 1.0
    assert verdict.recall_changes["queja"] == (0.75, 1.0)


def test_a_lower_macro_f1_is_refused_with_the_figures():
    verdict = judge(WITH_GREETINGS, GREETING_AS_DUDA)
    assert not verdict.promote
    assert verdict.candidate_f1 == pytest.approx(0.962963, abs=1e-6)
    assert verdict.reasons == ["macro-F1 0.963 is lower than production's 1.000 (tolerance 0.000)"]


def test_a_lower_macro_f1_within_the_tolerance_is_promoted():
    # 1.000 − 0.963 = 0.037: inside 0.05, outside 0.03.
    assert judge(WITH_GREETINGS, GREETING_AS_DUDA, Gate(f1_tolerance=0.05)).promote
    refused = judge(WITH_GREETINGS, GREETING_AS_DUDA, Gate(f1_tolerance=0.03))
    assert refused.reasons == ["macro-F1 0.963 is lower than production's 1.000 (tolerance 0.030)"]


def test_a_drop_exactly_at_the_tolerance_passes():
    # 1 − 26/27 is not exactly the float tolerance written by hand; the epsilon lets it through.
    verdict = judge(WITH_GREETINGS, GREETING_AS_DUDA, Gate(f1_tolerance=1 / 27))
    assert verdict.promote, verdict.reasons


def test_a_core_recall_drop_is_refused_even_when_macro_f1_is_higher():
    # Production: half the dudas and half the solicitudes taken for quejas.
    #   duda P 2/2 = 1, R 2/4 = 0.5 → F1 0.667; queja P 4/8 = 0.5, R 1 → F1 0.667;
    #   solicitud like duda → F1 0.667; macro-F1 0.667, queja recall 1.0.
    production = scored(
        ("duda", "duda", 2),
        ("duda", "queja", 2),
        ("queja", "queja", 4),
        ("solicitud", "solicitud", 2),
        ("solicitud", "queja", 2),
    )
    # Candidate: one queja taken for a duda.
    #   duda P 4/5 = 0.8, R 1 → F1 0.889; queja P 1, R 3/4 = 0.75 → F1 0.857; solicitud F1 1;
    #   macro-F1 0.915, better, but queja recall fell by 0.25.
    candidate = scored(
        ("duda", "duda", 4), ("queja", "queja", 3), ("queja", "duda", 1), ("solicitud", "solicitud", 4)
    )
    verdict = judge(production, candidate)
    assert verdict.candidate_f1 > verdict.production_f1
    assert not verdict.promote
    assert verdict.reasons == ["recall of queja fell from 1.000 to 0.750 (more than 0.050)"]
    assert verdict.recall_changes == {"duda": (0.5, 1.0), "queja": (1.0, 0.75), "solicitud": (0.5, 1.0)}


def test_a_recall_drop_exactly_at_the_limit_passes():
    # queja recall 20/20 → 19/20: a drop of 0.05 (0.050000000000000044 in floats).
    production = scored(("duda", "duda", 20), ("queja", "queja", 20), ("solicitud", "solicitud", 20))
    candidate = scored(
        ("duda", "duda", 20), ("queja", "queja", 19), ("queja", "duda", 1), ("solicitud", "solicitud", 20)
    )
    lenient_f1 = Gate(f1_tolerance=1.0)
    assert judge(production, candidate, lenient_f1).promote
    strict = judge(production, candidate, Gate(f1_tolerance=1.0, max_recall_drop=0.04))
    assert strict.reasons == ["recall of queja fell from 1.000 to 0.950 (more than 0.040)"]


def test_a_core_intent_missing_from_the_candidate_counts_as_zero():
    # No solicitud in the candidate's scores: recall 0 and F1 0 → macro-F1 (1 + 1 + 0) / 3 = 0.667.
    candidate = scored(("duda", "duda", 4), ("queja", "queja", 4))
    verdict = judge(PERFECT, candidate)
    assert not verdict.promote
    assert verdict.recall_changes["solicitud"] == (1.0, 0.0)
    assert verdict.reasons == [
        "macro-F1 0.667 is lower than production's 1.000 (tolerance 0.000)",
        "recall of solicitud fell from 1.000 to 0.000 (more than 0.050)",
    ]


def test_a_core_intent_missing_from_production_counts_as_zero():
    production = scored(("duda", "duda", 4), ("queja", "queja", 4))
    verdict = judge(production, PERFECT)
    assert verdict.promote
    assert verdict.production_f1 == pytest.approx(2 / 3)
    assert verdict.recall_changes["solicitud"] == (0.0, 1.0)


def test_the_gate_judges_only_its_core_intents():
    # The greeting mistake costs duda precision only; judged on queja and solicitud nothing changed.
    verdict = judge(WITH_GREETINGS, GREETING_AS_DUDA, Gate(core_intents=("queja", "solicitud")))
    assert verdict.promote
    assert list(verdict.recall_changes) == ["queja", "solicitud"]


STARTED = datetime(2024, 5, 3, 14, 20, 5, tzinfo=timezone.utc)


def report(production: Scores, candidate: Scores) -> str:
    return markdown(
        judge(production, candidate),
        production,
        candidate,
        examples_added=37,
        candidate_path="models/candidate-20240503.tar.gz",
        png_name="retrain-20240503.png",
        started=STARTED,
        took_seconds=312.46,
    )


def test_the_markdown_of_a_refused_candidate():
    text = report(WITH_GREETINGS, GREETING_AS_DUDA)
    assert text.startswith("# NLU retraining — 2024-05-03\n")
    assert "**REFUSED**" in text
    assert "PROMOTED" not in text
    assert "- macro-F1 0.963 is lower than production's 1.000 (tolerance 0.000)" in text
    assert "| 1.000 | 0.963 | -0.037 |" in text  # the two macro-F1s and the change
    for intent in ("duda", "queja", "solicitud", "saludo"):
        assert f"\n| {intent} | " in text
    # duda: production P 1 / R 1 / F1 1 / n 4, candidate P 0.8 / R 1 / F1 0.889 / n 4, ΔF1 −0.111.
    assert "| duda | 1.000 | 1.000 | 1.000 | 4 | 0.800 | 1.000 | 0.889 | 4 | -0.111 |" in text
    # saludo: candidate R 1/2, P 1/1 → F1 0.667.
    assert "| saludo | 1.000 | 1.000 | 1.000 | 2 | 1.000 | 0.500 | 0.667 | 2 | -0.333 |" in text
    for intent in ("duda", "queja", "solicitud"):
        assert f"| recall of {intent} | 1.000 | 1.000 | 0.000 |" in text
    assert "| duda topic accuracy | 1.000 | 1.000 | 0.000 |" in text
    assert "Labelled examples added: 37" in text
    assert "`models/candidate-20240503.tar.gz`" in text
    assert "![confusion matrices](retrain-20240503.png)" in text


def test_the_markdown_of_a_promoted_candidate():
    text = report(QUEJA_MISSED, PERFECT)
    assert "**PROMOTED**" in text
    assert "REFUSED" not in text
    assert "| 0.915 | 1.000 | +0.085 |" in text
    assert "| recall of queja | 0.750 | 1.000 | +0.250 |" in text


def test_an_intent_only_one_model_was_scored_on_has_dashes():
    text = report(scored(("duda", "duda", 4), ("queja", "queja", 4)), PERFECT)
    assert "| solicitud | — | — | — | — | 1.000 | 1.000 | 1.000 | 4 | — |" in text


def test_both_matrices_share_one_label_order():
    production = scored(("queja", "queja", 2), ("saludo", "nlu_fallback", 1))
    candidate = scored(("duda", "duda", 1), ("solicitud", "queja", 1))
    # Core intents first, then the rest by name, predicted-only labels included.
    assert confusion_labels(production, candidate) == ["duda", "queja", "solicitud", "nlu_fallback", "saludo"]


def test_the_confusion_png(tmp_path: Path):
    backend = matplotlib.get_backend()
    path = tmp_path / "reports" / "retrain.png"
    confusion_png(WITH_GREETINGS, GREETING_AS_DUDA, path)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width > 1.5 * height  # two square panels side by side
    assert matplotlib.get_backend() == backend  # no global backend switch


def test_the_confusion_png_of_empty_scores(tmp_path: Path):
    empty = score([], [], [])
    path = tmp_path / "empty.png"
    confusion_png(empty, empty, path)
    assert path.read_bytes().startswith(PNG_MAGIC)
