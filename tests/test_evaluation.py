"""Scores of a model on a held-out set: F1 per intent, calibration and what the fallback catches."""

from __future__ import annotations

import numpy as np
import pytest

from bot.training.evaluation import (
    Prediction,
    expected_calibration_error,
    load_agent,
    predict,
    prediction_of,
    score,
)


def test_confidences_that_match_the_accuracy_have_no_calibration_error():
    confidence = np.array([0.55] * 4 + [0.95] * 20)
    right = np.array([True, True, False, False] + [True] * 19 + [False])
    assert expected_calibration_error(confidence, right) == pytest.approx(4 / 24 * 0.05, abs=1e-9)


def test_a_sure_model_that_is_right_half_the_time_is_off_by_a_half():
    assert expected_calibration_error(np.ones(10), np.array([True, False] * 5)) == pytest.approx(0.5)


def test_caught_counts_the_mistakes_sent_to_the_clarifying_question_and_false_alarms_the_rest():
    expected = ["duda", "duda", "queja", "queja", "solicitud"]
    predicted = ["duda", "queja", "queja", "duda", "solicitud"]
    fallbacks = [False, True, True, False, False]
    scores = score(expected, predicted, confidences=[0.9] * 5, fallbacks=fallbacks)
    assert (scores.errors, scores.caught, scores.false_alarms) == (2, 0.5, pytest.approx(1 / 3))
    assert scores.per_intent["duda"] == (0.5, 0.5, 0.5, 2)
    assert scores.macro_f1() == pytest.approx((0.5 + 0.5 + 1.0) / 3)


def test_a_parse_taken_by_the_fallback_is_scored_by_the_classifier_s_own_intent():
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.54},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.54},
            {"name": "queja", "confidence": 0.5},
            {"name": "duda", "confidence": 0.3},
        ],
        "response_selector": {"duda": {"response": {"intent_response_key": "duda/envios"}}},
    }
    assert prediction_of(parse) == Prediction("queja", 0.5, fallback=True, topic="envios", margin=0.2)


@pytest.mark.slow
def test_parsing_in_process_prints_no_line_per_message(trained_model, capfd):
    """`python -m bot retrain` and the benchmarks parse every held-out message in process: Rasa's
    debug line per parse flooded the terminal before the verdict."""
    agent = load_agent(trained_model)
    capfd.readouterr()
    predictions = predict(agent, ["hola", "quiero cancelar mi pedido", "cuánto tarda un envío a Cádiz?"])
    assert [p.intent for p in predictions][:2] == ["saludo", "solicitud"]
    out, err = capfd.readouterr()
    assert "processor.message.parse" not in out + err and "debug" not in out + err
