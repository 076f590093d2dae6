"""Rasa 3.6 finds an event's class from its name (`Event.resolve_by_type`) by walking every subclass
of `Event` and asking each whether it is abstract — for every event of every conversation it reads
from the tracker store and every event a custom action returns. That walk was a quarter of the
tracker store's time in a turn (benchmarks/results.md, «Tracker store: event classes looked up»).
`install()` makes the lookup use a table built from the same walk, the first class of each name as
before, built again when a name is missing (an event class imported since). The Rasa server installs
it when it starts (bot/ops/rasa_server.py)."""

from __future__ import annotations

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_classes: dict[str, type[Event]] = {}


def _build() -> None:
    for cls in all_subclasses(Event):
        _classes.setdefault(cls.type_name, cls)


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Event.resolve_by_type, from the table."""
    if type_name not in _classes:
        _build()
    if (found := _classes.get(type_name)) is not None:
        return found
    if type_name == "topic":
        return None  # Rasa's own exception: old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


INSTALLED = "event classes are looked up in a table built once"


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
