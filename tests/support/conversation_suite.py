"""Whole conversations played against the assistant and judged by what a service lead expects
(tests/conversations/README.md): the cases in the store at the end, and loose checks on replies."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import yaml

from bot.cases import WITHDRAWN
from bot.store.models import Case, CaseStatus, Level
from bot.text import fold
from tests.support.rest_assistant import Assistant, new_customer

SUITES = Path(__file__).parents[1] / "conversations"
CASE_TYPES = ("duda", "queja", "solicitud")


@dataclasses.dataclass(frozen=True)
class ExpectedCase:
    type: str
    kind: str | None = None
    escalated: bool | None = None

    def matches(self, case: Case) -> bool:
        return (
            case.type == self.type
            and (self.kind is None or case.topic == self.kind)
            and (self.escalated is None or is_escalated(case) == self.escalated)
        )


@dataclasses.dataclass(frozen=True)
class Conversation:
    name: str
    source: str
    turns: tuple[str | dict, ...]
    cases: tuple[ExpectedCase, ...]
    says: tuple[str, ...] = ()
    never_says: tuple[str, ...] = ()


@dataclasses.dataclass
class Verdict:
    conversation: Conversation
    problems: list[str]
    spurious: int  # cases the customer never asked for
    transcript: list[str]

    @property
    def fully_right(self) -> bool:
        return not self.problems


def is_escalated(case: Case) -> bool:
    return case.level >= Level.AGENT or case.status == CaseStatus.ESCALADO.value


def load_suite(name: str) -> list[Conversation]:
    conversations = []
    for path in sorted((SUITES / name).glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            expect = raw.get("expect") or {}
            conversations.append(
                Conversation(
                    name=raw["name"],
                    source=path.name,
                    turns=tuple(as_written(turn) for turn in raw["turns"]),
                    cases=tuple(ExpectedCase(**case) for case in expect.get("cases") or []),
                    says=tuple(expect.get("says") or []),
                    never_says=tuple(expect.get("never_says") or []),
                )
            )
    return conversations


def as_written(turn: object) -> str | dict:
    """YAML reads an unquoted «no» or «No» as false: a customer typed or pressed the word."""
    if isinstance(turn, dict):
        return {key: as_written(value) for key, value in turn.items()}
    if isinstance(turn, bool):
        return "Sí" if turn else "No"
    return str(turn)


def pressed(turn: dict, last_replies: list[dict]) -> str | None:
    """The payload of the button titled `turn["button"]` in the assistant's last replies."""
    wanted = fold(str(turn["button"]))
    offered = [b for r in last_replies for b in r.get("buttons") or []]
    for exact in (True, False):
        for button in offered:
            title = fold(button["title"])
            if title == wanted or (not exact and title.startswith(wanted)):
                return button["payload"]
    return None


def play(assistant: Assistant, conversation: Conversation) -> Verdict:
    sender = new_customer()
    problems, transcript, said, replies = [], [], [], []
    for turn in conversation.turns:
        if isinstance(turn, dict):
            text = pressed(turn, replies)
            if text is None:
                problems.append(f"no button «{turn['button']}» to press after: {last_text(replies)!r}")
                break
            transcript.append(f"> [{turn['button']}]")
        else:
            text = with_dates(str(turn))
            transcript.append(f"> {text}")
        status, replies = assistant.post({"sender": sender, "message": text})
        if status != 200 or not replies:
            problems.append(f"turn {text!r} got status {status} and {replies!r}")
            replies = []
            continue
        for reply in replies:
            said.append(reply.get("text") or "")
            titles = " | ".join(b["title"] for b in reply.get("buttons") or [])
            transcript.append(f"< {reply.get('text') or ''}" + (f"  [{titles}]" if titles else ""))
    stored = assistant.cases(sender)
    # A case the customer took back right after it was registered is closed, no one's work: not held.
    cases = [c for c in stored if c.resolution != WITHDRAWN]
    problems += judge_cases(conversation.cases, cases)
    problems += judge_replies(conversation, said)
    transcript.append("= " + ", ".join(describe(c) for c in stored) if stored else "= no case")
    return Verdict(conversation, problems, spurious_cases(conversation.cases, cases), transcript)


def with_dates(text: str, today: date | None = None) -> str:
    """`{fecha}` becomes a weekday 8 to 14 days ahead (dd/mm): a visit date that stays valid
    whatever day the suite runs (the form takes a working day within 60 days)."""
    day = (today or date.today()) + timedelta(days=8)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return text.replace("{fecha}", day.strftime("%d/%m"))


def last_text(replies: list[dict]) -> str:
    return (replies[-1].get("text") or "") if replies else ""


def describe(case: Case) -> str:
    withdrawn = ", withdrawn" if case.resolution == WITHDRAWN else ""
    return f"{case.type}/{case.topic}{' escalated' if is_escalated(case) else ''} ({case.status}{withdrawn})"


def unmatched(expected: Sequence[ExpectedCase], cases: Sequence[Case]) -> tuple[list, list]:
    """Pairs each expected case with one stored case; returns what is left on each side.
    The most specific expectations are matched first, so a loose one cannot take their case."""
    left = list(cases)
    missing = []
    for want in sorted(expected, key=lambda e: (e.kind is None) + (e.escalated is None)):
        found = next((case for case in left if want.matches(case)), None)
        if found is None:
            missing.append(want)
        else:
            left.remove(found)
    return missing, left


def judge_cases(expected: Sequence[ExpectedCase], cases: Sequence[Case]) -> list[str]:
    missing, extra = unmatched(expected, cases)
    return [f"missing case {want}" for want in missing] + [f"unexpected case {describe(c)}" for c in extra]


def spurious_cases(expected: Sequence[ExpectedCase], cases: Sequence[Case]) -> int:
    """Cases beyond what was asked for, by type: a wrong kind or escalation is not spurious."""
    return sum(
        max(0, sum(c.type == kind for c in cases) - sum(e.type == kind for e in expected))
        for kind in CASE_TYPES
    )


def loose(text: str) -> str:
    """Case, accents and ñ aside: writers type «espanol» for «español»."""
    return fold(text).replace("ñ", "n")


def judge_replies(conversation: Conversation, said: Sequence[str]) -> list[str]:
    everything = loose("\n".join(said))
    problems = [f"never said «{words}»" for words in conversation.says if loose(words) not in everything]
    problems += [f"said «{words}»" for words in conversation.never_says if loose(words) in everything]
    return problems


def report(name: str, verdicts: Sequence[Verdict]) -> str:
    right = sum(v.fully_right for v in verdicts)
    with_spurious = sum(v.spurious > 0 for v in verdicts)
    lines = [
        f"Conversation suite «{name}»: {right}/{len(verdicts)} fully right ({right / len(verdicts):.0%}); "
        f"{with_spurious} registered a case nobody asked for."
    ]
    for verdict in verdicts:
        if verdict.fully_right:
            continue
        lines.append(f"\n✗ {verdict.conversation.source}: {verdict.conversation.name}")
        lines += [f"    ! {problem}" for problem in verdict.problems]
        lines += [f"      {line}" for line in verdict.transcript]
    return "\n".join(lines)
