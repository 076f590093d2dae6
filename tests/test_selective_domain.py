"""Rasa sends the domain only to the custom actions that read it (endpoints.yml's
`enable_selective_domain`, domain.yml's `send_domain`): every other call is a fraction of the size."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Action

import actions
from bot.config import PROJECT_ROOT

ENDPOINTS_ENVIRONMENT = {
    "ACTION_HOST": "127.0.0.1",
    "ACTION_PORT": "5055",
    "DATABASE_URL": "sqlite://",
    "LOCK_STORE_TYPE": "in_memory",
    "LOCK_STORE_URL": "",
}


@pytest.fixture
def domain() -> Domain:
    return Domain.load(PROJECT_ROOT / "domain.yml")


def custom_actions() -> list[type[Action]]:
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found, pending = [], list(Action.__subclasses__())
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith("actions.") and not inspect.isabstract(klass):
            found.append(klass)
    return found


def reads_domain(action: type[Action]) -> bool:
    """Whether the action's `run` uses its `domain` argument."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(action.run)))
    return any(
        isinstance(node, ast.Name) and node.id == "domain" and isinstance(node.ctx, ast.Load)
        for node in ast.walk(ast.parse(source))
    )


def test_only_the_actions_that_read_the_domain_are_sent_it(monkeypatch, domain):
    for key, value in ENDPOINTS_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    endpoint = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml")).action
    tracker = DialogueStateTracker("730291846", domain.slots)
    sent = {
        name
        for name in domain.user_actions
        if "domain" in RemoteAction(name, endpoint)._action_call_format(tracker, domain)
    }
    assert sent == {"action_responder_duda", "validate_queja_form", "validate_solicitud_form"}


def test_every_custom_action_that_reads_the_domain_asks_for_it(domain):
    readers = {klass().name() for klass in custom_actions() if reads_domain(klass)}
    assert "action_responder_duda" in readers  # the FAQ answer it keeps with the case
    assert all(domain.does_custom_action_explicitly_need_domain(name) for name in readers)
