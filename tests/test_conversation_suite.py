"""The conversation suites (tests/conversations/): every conversation played against the real
trained model, action server and SQLite store through the REST channel, judged by the cases in the
store at the end. The report (share fully right, each failure with its transcript) is printed and
written to tests/artifacts/conversations-<suite>.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.models import Case, CaseStatus, Level
from tests.support.conversation_suite import (
    ExpectedCase,
    judge_cases,
    load_suite,
    play,
    report,
    spurious_cases,
)

ARTIFACTS = Path(__file__).parent / "artifacts"

# (share fully right, conversations with a spurious case): today's figures, kept so that nothing
# slips back. Issue 18's target is 90 % fully right and no spurious case on the held-out batch (met:
# 70/70, none). The tuning suite's 4 are in tuning/batch_7.yml, the newest batch, still open: a
# message sent word by word, a formal request for a person read as a complaint about a shop, and two
# demands read as questions: a broken lamp and a gift request (tests/conversations/README.md).
FLOORS = {"heldout": (0.90, 0), "tuning": (0.90, 4)}


@pytest.mark.slow
@pytest.mark.parametrize("suite", ["heldout", "tuning"])
def test_the_conversation_suite_goes_right(assistant, suite):
    conversations = load_suite(suite)
    assert len(conversations) >= (60 if suite == "heldout" else 25)
    verdicts = [play(assistant, conversation) for conversation in conversations]
    text = report(suite, verdicts)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"conversations-{suite}.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    share = sum(v.fully_right for v in verdicts) / len(verdicts)
    with_spurious = sum(v.spurious > 0 for v in verdicts)
    min_share, max_spurious = FLOORS[suite]
    assert share >= min_share, text
    assert with_spurious <= max_spurious, text


def test_every_conversation_is_well_formed():
    for suite in ("heldout", "tuning"):
        conversations = load_suite(suite)
        assert len({c.name for c in conversations}) == len(conversations), f"{suite}: names repeat"
        for conversation in conversations:
            assert conversation.turns, conversation.name
            assert all(isinstance(t, str) or set(t) == {"button"} for t in conversation.turns), (
                conversation.name
            )
            assert all(e.type in {"duda", "queja", "solicitud"} for e in conversation.cases), (
                conversation.name
            )


def stored(type_: str, topic: str = "general", escalated: bool = False) -> Case:
    level, status = (
        (Level.AGENT, CaseStatus.ESCALADO.value) if escalated else (Level.BOT, CaseStatus.NUEVO.value)
    )
    return Case(type=type_, topic=topic, level=level, status=status)


def test_the_judge_wants_exactly_the_expected_cases():
    expected = [ExpectedCase("queja"), ExpectedCase("solicitud", kind="factura")]
    assert judge_cases(expected, [stored("queja"), stored("solicitud", "factura")]) == []
    assert judge_cases(expected, [stored("queja")]) == ["missing case " + str(expected[1])]
    extra = judge_cases(expected, [stored("queja"), stored("queja"), stored("solicitud", "factura")])
    assert extra == ["unexpected case queja/general (nuevo)"]


def test_the_judge_checks_kind_and_escalation_only_where_given():
    assert judge_cases([ExpectedCase("duda", escalated=True)], [stored("duda")]) != []
    assert judge_cases([ExpectedCase("duda")], [stored("duda", escalated=True)]) == []
    assert (
        judge_cases([ExpectedCase("solicitud", kind="factura")], [stored("solicitud", "cancelacion")]) != []
    )


def test_a_spurious_case_is_one_beyond_what_was_asked_for():
    assert spurious_cases([ExpectedCase("queja")], [stored("queja"), stored("queja")]) == 1
    assert spurious_cases([ExpectedCase("queja")], [stored("solicitud")]) == 1
    assert (
        spurious_cases([ExpectedCase("solicitud", kind="factura")], [stored("solicitud", "cancelacion")]) == 0
    )
    assert spurious_cases([], []) == 0
