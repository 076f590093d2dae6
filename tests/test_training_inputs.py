"""A change to our NLU components' code retrains the model, in `make run` and in Rasa's cache."""

from __future__ import annotations

import inspect

from bot.config import PROJECT_ROOT
from bot.nlu import linear_classifier
from bot.nlu.linear_response_selector import LinearResponseSelector
from bot.nlu.source_fingerprint import source_fingerprint
from bot.training.train import training_inputs


def test_the_components_code_is_part_of_what_the_model_is_made_of():
    inputs = training_inputs()
    assert PROJECT_ROOT / "bot" / "nlu" / "linear_classifier.py" in inputs
    assert PROJECT_ROOT / "config.yml" in inputs and PROJECT_ROOT / "data" / "nlu" / "duda.yml" in inputs


def test_an_edit_to_a_base_class_changes_the_subclass_fingerprint(monkeypatch):
    before = source_fingerprint(LinearResponseSelector)
    real = inspect.getsource

    def edited(module):
        return real(module) + "\n# edited" if module is linear_classifier else real(module)

    monkeypatch.setattr(inspect, "getsource", edited)
    assert source_fingerprint(LinearResponseSelector) != before
    assert LinearResponseSelector.fingerprint_addon({}) == source_fingerprint(LinearResponseSelector)
