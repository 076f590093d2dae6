"""Rasa 3.6 checks every custom action's response with `jsonschema.validate`, which checks the
(large) events schema against its metaschema and builds a new validator on each call: 16 to 19 ms
of every turn (benchmarks/results.md, «CPU profile of a turn»). `install()` makes the check use one
validator built once, with the same schema, the same error (jsonschema's best match) and the same
message; the Rasa server installs it when it starts (bot/ops/rasa_server.py). Keep `jsonschema < 4.18`:
its new referencing layer is much slower."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the validator built once."""
    error = exceptions.best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


INSTALLED = "custom action responses are checked by one validator built at start"


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
