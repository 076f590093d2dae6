"""A case in a person's hands, in the store: taking, handing on, closing, and which agents'
group message belongs to which case (real SQLite store)."""

from __future__ import annotations

from sqlalchemy import select

from bot.cases import Demand, register_case, resolve_case, transfer_case
from bot.handoff.agents import register_agent
from bot.handoff.rules import (
    TakeOutcome,
    case_in_thread,
    handoff_case,
    remember_post,
    take_case,
    unassigned_queue,
)
from bot.store.models import Case, CaseEvent, CaseType, Level, Notification
from bot.timeline import agent_actor

AGENTS = -100777


def complaint(session_factory, policy, chat: str = "900", channel: str = "telegram") -> str:
    demand = Demand(chat, channel, CaseType.QUEJA, "envio", "El paquete no llegó", customer_name="Ana")
    with session_factory.begin() as session:
        return register_case(session, demand, policy).number


def agents(session_factory, policy):
    with session_factory.begin() as session:
        laura, _ = register_agent(session, 1, "Laura Gómez", "logistica", Level.AGENT, policy)
        pedro, _ = register_agent(session, 2, "Pedro Ruiz", "logistica", Level.AGENT, policy)
        marta, _ = register_agent(session, 3, "Marta Sanz", "logistica", Level.SUPERVISOR, policy)
    return laura, pedro, marta


def take(session_factory, number, agent):
    with session_factory.begin() as session:
        return take_case(session, number, agent)


def events(session_factory, number) -> list[CaseEvent]:
    with session_factory() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        return list(session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)).scalars())


def test_the_first_agent_takes_the_case_and_the_second_is_told_who_has_it(session_factory, policy):
    laura, pedro, _ = agents(session_factory, policy)
    number = complaint(session_factory, policy)
    first, second = take(session_factory, number, laura), take(session_factory, number, pedro)
    assert first.outcome is TakeOutcome.TAKEN and first.case.handoff == "active"
    assert second.outcome is TakeOutcome.ALREADY_TAKEN and second.owner.name == "Laura Gómez"
    taken = [e for e in events(session_factory, number) if e.kind == "taken"]
    assert [(e.actor, e.status_to) for e in taken] == [(f"agent:{laura.id}", "en_proceso")]
    with session_factory() as session:
        cards = session.execute(select(Notification).where(Notification.kind == "case_card")).scalars()
        assert len(list(cards)) == 2  # posted at escalation, redrawn with its owner


def test_a_customer_off_telegram_can_be_taken_but_the_bot_keeps_talking_to_them(session_factory, policy):
    laura, _, _ = agents(session_factory, policy)
    number = complaint(session_factory, policy, chat="consola-1", channel="rest")
    assert take(session_factory, number, laura).case.handoff is None
    with session_factory() as session:
        assert handoff_case(session, "consola-1") is None


def test_after_a_transfer_to_supervision_only_a_supervisor_can_take_it(session_factory, policy):
    laura, pedro, marta = agents(session_factory, policy)
    number = complaint(session_factory, policy)
    take(session_factory, number, laura)
    with session_factory.begin() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        transfer_case(session, case, agent_actor(laura), level=Level.SUPERVISOR)
    assert take(session_factory, number, pedro).outcome is TakeOutcome.NEEDS_SUPERVISOR
    assert take(session_factory, number, marta).outcome is TakeOutcome.TAKEN
    kinds = [(e.kind, e.details.get("level")) for e in events(session_factory, number)]
    assert ("transferred", None) in kinds and ("escalated", 3) in kinds


def test_a_resolved_case_cannot_be_taken_and_leaves_the_handoff(session_factory, policy):
    laura, pedro, _ = agents(session_factory, policy)
    number = complaint(session_factory, policy, chat="901")
    take(session_factory, number, laura)
    with session_factory.begin() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        resolve_case(session, case, "Reembolsado", agent_actor(laura))
    assert take(session_factory, number, pedro).outcome is TakeOutcome.NOT_OPEN
    with session_factory() as session:
        assert handoff_case(session, "901") is None
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert (case.status, case.resolution) == ("resuelto", "Reembolsado")


def test_a_message_of_the_agents_group_belongs_to_its_case_by_topic_card_or_reply(session_factory, policy):
    first, second = complaint(session_factory, policy, "902"), complaint(session_factory, policy, "903")
    with session_factory.begin() as session:
        one = session.execute(select(Case).where(Case.number == first)).scalar_one()
        two = session.execute(select(Case).where(Case.number == second)).scalar_one()
        one.agents_thread_id, two.card_message_id = 44, 70
        remember_post(session, two, AGENTS, 71)
    with session_factory() as session:
        assert case_in_thread(session, AGENTS, 44, None).number == first
        assert case_in_thread(session, AGENTS, None, 70).number == second
        assert case_in_thread(session, AGENTS, None, 71).number == second
        assert case_in_thread(session, AGENTS, None, 72) is None
        assert case_in_thread(session, AGENTS, None, None) is None


def test_the_queue_lists_unassigned_cases_oldest_first(session_factory, policy):
    laura, _, _ = agents(session_factory, policy)
    numbers = [complaint(session_factory, policy, chat) for chat in ("904", "905", "906")]
    take(session_factory, numbers[1], laura)
    with session_factory() as session:
        assert [case.number for case in unassigned_queue(session)] == [numbers[0], numbers[2]]
