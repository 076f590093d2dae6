"""Human agents and supervisors: who may take cases and use agent commands."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.cases import team_named
from bot.policy import CasePolicy
from bot.store.models import Agent, Level, Team


class UnknownTeam(ValueError):
    def __init__(self, team: str, known: list[str]) -> None:
        super().__init__(f"unknown team {team!r}; the teams in case_policy.yml are: {', '.join(known)}")
        self.team = team
        self.known = known


def agent_by_telegram_id(session: Session, telegram_user_id: int) -> Agent | None:
    query = select(Agent).where(Agent.telegram_user_id == telegram_user_id).options(selectinload(Agent.team))
    return session.execute(query).scalar_one_or_none()


def register_agent(
    session: Session, telegram_user_id: int, name: str, team: str, level: Level, policy: CasePolicy
) -> tuple[Agent, bool]:
    """Add the agent, or update and re-enable them; True when they are new."""
    if team not in policy.team_labels:
        raise UnknownTeam(team, sorted(policy.team_labels))
    team_row = team_named(session, team)
    team_row.description = policy.team_labels[team]
    agent = agent_by_telegram_id(session, telegram_user_id)
    created = agent is None
    if agent is None:
        agent = Agent(telegram_user_id=telegram_user_id)
        session.add(agent)
    agent.name, agent.team, agent.level, agent.active = name, team_row, int(level), True
    session.flush()
    return agent, created


def disable_agent(session: Session, telegram_user_id: int) -> Agent | None:
    agent = agent_by_telegram_id(session, telegram_user_id)
    if agent is not None:
        agent.active = False
    return agent


def active_agent(session: Session, telegram_user_id: int) -> Agent | None:
    """The registered, active agent behind a Telegram user, or None: everyone else is refused."""
    agent = agent_by_telegram_id(session, telegram_user_id)
    return agent if agent is not None and agent.active else None


def list_agents(session: Session, team: str | None = None) -> list[Agent]:
    query = select(Agent).join(Team).options(selectinload(Agent.team)).order_by(Team.name, Agent.name)
    if team is not None:
        query = query.where(Team.name == team)
    return list(session.execute(query).scalars())


def supervisors_of(session: Session, team: str) -> list[Agent]:
    return [agent for agent in list_agents(session, team) if agent.active and agent.level >= Level.SUPERVISOR]
