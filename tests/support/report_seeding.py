"""Agents and cases for the report tests, written to the real migrated store: `seed_cases` times a
case's moments in hours after its creation (tests/test_report_agents.py, tests/test_report_teams.py);
`register_agents` serves every report test that assigns cases or surveys to agents."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.cases import Demand, escalate_case, register_case
from bot.handoff.agents import disable_agent, register_agent
from bot.store.models import Agent, CaseType, Level, Survey
from bot.timeline import CUSTOMER_ACTOR, add_event

H = timedelta(hours=1)
QUEJA, SOLICITUD, DUDA = CaseType.QUEJA, CaseType.SOLICITUD, CaseType.DUDA


def register_agents(session, policy, agents: Sequence[tuple[int, str, str]]) -> dict[str, Agent]:
    """Register each (Telegram id, name, team) as an agent of level 1: {name: agent}."""
    return {
        name: register_agent(session, telegram_id, name, team, Level.AGENT, policy)[0]
        for telegram_id, name, team in agents
    }


@dataclass(frozen=True)
class Seeded:
    """A case; its moments are hours after `created_at` (None: never)."""

    agent: str | None
    case_type: CaseType
    topic: str  # envio, devolucion: Logística; producto: Calidad; atencion, a duda: Atención al cliente
    created_at: datetime
    responded: float | None  # first_response; for a duda, solution_presented (the bot answered)
    resolution_due: float | None  # None: no deadlines at all (else the first response is due in 4 h)
    resolved: tuple[float, ...]
    status: str
    survey: tuple[bool | None, int | None] | None = None  # (resolved?, CSAT), on the first resolution
    reopened: float | None = None  # the customer said «No» in the survey
    supervised: float | None = None  # escalated to supervision (level 3)
    person: float | None = None  # a duda handed to a person (level 2), before the agent takes it


def seed_cases(
    session_factory,
    policy,
    agents: Sequence[tuple[int, str, str]],
    cases: Sequence[Seeded],
    disabled: Collection[int] = (),
) -> None:
    """Register `agents` ((Telegram id, name, team), level 1; those in `disabled` then disabled) and
    `cases` in order, each with its events and survey."""
    with session_factory.begin() as session:
        registered = register_agents(session, policy, agents)
        for telegram_id in disabled:
            disable_agent(session, telegram_id)
        for number, seeded in enumerate(cases):
            demand = Demand(f"chat-{number}", "telegram", seeded.case_type, seeded.topic, "Mi pedido")
            start = seeded.created_at
            case = register_case(session, demand, policy, now=start)
            if seeded.person is not None:
                escalate_case(session, case, "cliente_pide_persona", now=start + seeded.person * H)
            agent = registered.get(seeded.agent)
            actor = f"agent:{agent.id}" if agent else "bot"
            if agent:
                case.assigned_agent_id = agent.id
                add_event(session, case, "taken", actor, at=start + (seeded.person or 0) * H)
            case.first_response_due = None if seeded.resolution_due is None else start + 4 * H
            case.sla_due_at = None if seeded.resolution_due is None else start + seeded.resolution_due * H
            if seeded.responded is not None:
                answer = "solution_presented" if seeded.case_type is DUDA else "first_response"
                add_event(session, case, answer, actor, at=start + seeded.responded * H)
            if seeded.supervised is not None:
                at = start + seeded.supervised * H
                escalate_case(session, case, "cliente_insiste", now=at, level=Level.SUPERVISOR)
            for after in seeded.resolved:
                add_event(session, case, "resolved", actor, at=start + after * H)
            if seeded.reopened is not None:
                add_event(session, case, "reopened", CUSTOMER_ACTOR, at=start + seeded.reopened * H)
            if seeded.survey is not None:
                resolved, rating = seeded.survey
                session.add(
                    Survey(
                        case_id=case.id,
                        agent_id=agent.id if agent else None,
                        team_id=case.team_id,
                        resolved=resolved,
                        csat=rating,
                        status="completada",
                        created_at=start + seeded.resolved[0] * H,
                    )
                )
            case.status = seeded.status
