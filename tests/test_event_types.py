"""Event classes looked up in a table (bot/ops/event_types.py): every event name Rasa knows gives
the class Rasa's own walk gives, with the same answers for the old «topic» events, a default and an
unknown name; a tracker read back from the store is the tracker that was saved."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot.ops import event_types

RASA_LOOKUP = Event.resolve_by_type


@pytest.mark.parametrize("name", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_every_event_name_gives_the_class_rasa_gives(name):
    assert event_types.resolve_by_type(name) is RASA_LOOKUP(name)


def test_old_topic_events_a_default_and_an_unknown_name_are_answered_as_rasa_answers():
    assert event_types.resolve_by_type("topic") is None is RASA_LOOKUP("topic")
    assert event_types.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        event_types.resolve_by_type("no_such_event")
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        RASA_LOOKUP("no_such_event")


def test_an_event_class_defined_later_is_found(monkeypatch):
    event_types.resolve_by_type("slot")  # the table is built

    class LateEvent(ActionExecuted):
        type_name = "late_event_for_this_test"

    assert event_types.resolve_by_type("late_event_for_this_test") is LateEvent


def test_installed_it_deserialises_events_as_before(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])  # undone after the test
    said = [UserUttered("hola", {"name": "saludo", "confidence": 0.9}), ActionExecuted("utter_saludo")]
    said += [SlotSet("caso_numero", "D-2026-000001")]
    dicts = [event.as_dict() for event in said]
    event_types.install()
    assert [Event.from_parameters(d) for d in dicts] == said
