"""The case policy (`case_policy.yml`): team, escalation, priority and form fields per topic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.config import get_settings
from bot.store.models import CaseType
from bot.text import fold, keyword_position, keyword_score

GENERAL_TOPIC = "general"
GREETINGS = re.compile(r"\b(buen[oa]s?|feliz) (dias?|tardes?|noches?)\b")  # folded text


@dataclass(frozen=True)
class TopicRule:
    case_type: CaseType
    topic: str
    label: str
    team: str
    escalate: bool
    priority: str
    requires_order: bool = False
    keywords: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class CasePolicy:
    rules: dict[CaseType, dict[str, TopicRule]] = field(default_factory=dict)
    team_labels: dict[str, str] = field(default_factory=dict)

    def rule_for(self, case_type: CaseType, topic: str) -> TopicRule:
        by_topic = self.rules[case_type]
        return by_topic.get(topic) or by_topic[GENERAL_TOPIC]

    def topics(self, case_type: CaseType) -> list[TopicRule]:
        return [r for t, r in self.rules[case_type].items() if t != GENERAL_TOPIC]

    def detect_topic(self, case_type: CaseType, text: str) -> str | None:
        """The topic whose keywords best match `text`, or None when none match."""
        return next(iter(self.detect_topics(case_type, text)), None)

    def detect_topics(self, case_type: CaseType, text: str) -> list[str]:
        """Every topic whose keywords match `text`, the best first. A greeting is not a topic:
        «buenas tardes» says nothing of a late delivery («tard»)."""
        said = GREETINGS.sub(" ", fold(text))
        scored = [(keyword_score(said, list(r.keywords)), r.topic) for r in self.topics(case_type)]
        return [topic for score, topic in sorted(scored, reverse=True) if score > 0]

    def topics_in_order(self, case_type: CaseType, text: str) -> list[tuple[int, str]]:
        """Every topic the folded `text` names, with where it is first named, in the text's order."""
        said = GREETINGS.sub(lambda m: " " * len(m.group()), fold(text))
        found = [(keyword_position(said, list(r.keywords)), r.topic) for r in self.topics(case_type)]
        return sorted((at, topic) for at, topic in found if at is not None)


def _rules_of(case_type: CaseType, section: dict) -> dict[str, TopicRule]:
    default = section.get("default", {})
    topics = {GENERAL_TOPIC: {}, **(section.get("topics") or {})}
    rules = {}
    for topic, overrides in topics.items():
        merged = {**default, **(overrides or {})}
        rules[topic] = TopicRule(
            case_type=case_type,
            topic=topic,
            label=merged.get("label", topic),
            team=merged["team"],
            escalate=bool(merged.get("escalate", False)),
            priority=merged.get("priority", "media"),
            requires_order=bool(merged.get("requires_order", False)),
            keywords=tuple(merged.get("keywords") or ()),
            fields=tuple(merged.get("fields") or ()),
        )
    return rules


def load_policy(path: Path) -> CasePolicy:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return CasePolicy(
        rules={t: _rules_of(t, raw.get(t.value) or {}) for t in CaseType},
        team_labels=raw.get("teams") or {},
    )


@cache
def _cached_policy(path: Path) -> CasePolicy:
    return load_policy(path)


def get_policy() -> CasePolicy:
    return _cached_policy(get_settings().case_policy_path)
