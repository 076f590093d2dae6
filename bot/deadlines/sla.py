"""The SLA policy (`sla.yml`): first-response and resolution times per type, priority and topic,
counted in opening hours (`business_hours.yml`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import get_settings
from bot.deadlines.business_hours import BusinessHours, get_business_hours

TIMES = ("first_response_hours", "resolution_hours")
CHOICES = {"on_transfer": ("keep", "restart"), "on_reopen": ("keep", "restart")}


@dataclass(frozen=True)
class Deadlines:
    first_response: datetime
    resolution: datetime


@dataclass(frozen=True)
class SlaPolicy:
    default: dict[str, float]
    types: dict[str, dict[str, float]]
    priorities: dict[str, dict[str, float]]
    topics: dict[str, dict[str, float]]
    on_transfer: str = "keep"
    on_reopen: str = "restart"
    alerts_percent: tuple[int, ...] = (75, 90)

    def hours_for(self, case_type: str, topic: str, priority: str) -> dict[str, float]:
        """The most specific times, key by key: topic, priority, type, default."""
        layers = (
            self.default,
            self.types.get(case_type, {}),
            self.priorities.get(priority, {}),
            self.topics.get(f"{case_type}/{topic}", {}),
        )
        merged: dict[str, float] = {}
        for layer in layers:
            merged.update(layer)
        return merged

    def deadlines(
        self, hours: BusinessHours, case_type: str, topic: str, priority: str, start: datetime
    ) -> Deadlines:
        times = self.hours_for(case_type, topic, priority)
        return Deadlines(
            hours.add(start, timedelta(hours=times["first_response_hours"])),
            hours.add(start, timedelta(hours=times["resolution_hours"])),
        )


def times_of(path: Path, where: str, raw: Any, complete: bool = False) -> dict[str, float]:
    if not isinstance(raw, dict) or set(raw) - set(TIMES) or (complete and set(raw) != set(TIMES)):
        expected = " and ".join(TIMES)
        raise ValueError(f"{path}: {where} must give {expected}{'' if complete else ' (or some of them)'}")
    for key, value in raw.items():
        if not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{path}: {where}.{key} must be a positive number of hours, not {value!r}")
    return {key: float(value) for key, value in raw.items()}


def load_sla_policy(path: Path) -> SlaPolicy:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    sections = {
        name: {key: times_of(path, f"{name}.{key}", value) for key, value in (raw.get(name) or {}).items()}
        for name in ("types", "priorities", "topics")
    }
    for name, allowed in CHOICES.items():
        if raw.get(name, allowed[0]) not in allowed:
            raise ValueError(f"{path}: {name} must be one of {', '.join(allowed)}, not {raw[name]!r}")
    alerts = tuple(int(p) for p in raw.get("alerts_percent") or (75, 90))
    if any(not 0 < p < 100 for p in alerts):
        raise ValueError(f"{path}: alerts_percent are percentages between 0 and 100, not {list(alerts)}")
    return SlaPolicy(
        default=times_of(path, "default", raw.get("default"), complete=True),
        on_transfer=raw.get("on_transfer", "keep"),
        on_reopen=raw.get("on_reopen", "restart"),
        alerts_percent=tuple(sorted(alerts)),
        **sections,
    )


@cache
def _cached(path: Path) -> SlaPolicy:
    return load_sla_policy(path)


def get_sla_policy() -> SlaPolicy:
    return _cached(get_settings().sla_path)


def case_deadlines(case_type: str, topic: str, priority: str, start: datetime) -> Deadlines:
    """A case's deadlines by the configured policy and opening hours."""
    return get_sla_policy().deadlines(get_business_hours(), case_type, topic, priority, start)
