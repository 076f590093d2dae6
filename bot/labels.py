"""Spanish names for the store's codes (`labels_es.yml`) and Spanish date formatting."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.config import get_settings
from bot.policy import get_policy
from bot.store.models import CaseType

LABELS_PATH = Path(__file__).with_name("labels_es.yml")


@lru_cache(maxsize=1)
def _labels() -> dict:
    with open(LABELS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def customer_visible_events() -> list[str]:
    """The case events a customer's status reply may name (those with a customer-facing label)."""
    return list(_labels()["event"])


def label(group: str, code: str) -> str:
    return _labels()[group].get(code, code.replace("_", " "))


def weekday_name(moment: datetime) -> str:
    return _labels()["weekday"][moment.weekday()]


def topic_label(case_type: str, topic: str) -> str:
    if case_type == CaseType.DUDA.value:
        return label("duda_topic", topic)
    return get_policy().rule_for(CaseType(case_type), topic).label.lower()


def team_label(team: str) -> str:
    return get_policy().team_labels.get(team, team.replace("_", " "))


def format_datetime(moment: datetime, with_time: bool = True) -> str:
    """`lunes 30/11/2026 a las 18:00`, in the service's time zone (naive UTC in)."""
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(get_settings().timezone))
    day = f"{weekday_name(local)} {local:%d/%m/%Y}"
    return f"{day} a las {local:%H:%M}" if with_time else day
