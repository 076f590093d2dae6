"""Custom action responses checked by one validator built once (bot/ops/action_responses.py): what
Rasa accepted and refused before, it accepts and refuses the same, with the same message."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.ops.action_responses import validate_action_result

ACTION = RemoteAction("action_registrar_queja", None)
VALID = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "numero_pedido", "value": "PED-1234567"}],
        "responses": [{"text": "hola"}],
    },
    {"events": [{"event": "action", "name": "queja_form"}, {"event": "active_loop", "name": None}]},
    {},
]
INVALID = [
    {"events": "no es una lista"},
    {"events": [{"event": "slot", "name": 3}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": [["no es un objeto"]]},
    {"events": [{"name": "sin evento"}]},
    [],
]


@pytest.mark.parametrize("result", VALID)
def test_what_rasa_accepted_is_accepted(result):
    assert RemoteAction._validate_action_result(ACTION, result) is True
    assert validate_action_result(ACTION, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_what_rasa_refused_is_refused_with_the_same_error(result):
    with pytest.raises(ValidationError) as rasa_error:
        RemoteAction._validate_action_result(ACTION, result)
    with pytest.raises(ValidationError) as ours:
        validate_action_result(ACTION, result)
    assert ours.value.message == rasa_error.value.message
    assert list(ours.value.absolute_path) == list(rasa_error.value.absolute_path)
    assert "Failed to validate Action server response" in ours.value.message
