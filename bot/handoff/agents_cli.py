"""`python -m bot agents add|list|disable`: the agents' register, from the command line."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.orm import Session

from bot.handoff.agents import UnknownTeam, disable_agent, list_agents, register_agent
from bot.policy import get_policy
from bot.store.db import get_session_factory
from bot.store.migrate import migrate
from bot.store.models import Agent, Level

LEVEL_NAMES = {int(Level.AGENT): "agent", int(Level.SUPERVISOR): "supervisor"}


def telegram_id(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("a Telegram user id is a positive number (ask @userinfobot)")
    return number


def add_agent_commands(commands: argparse._SubParsersAction) -> None:
    agents = commands.add_parser("agents", help="register, list and disable human agents")
    actions = agents.add_subparsers(dest="agents_command", required=True)
    add = actions.add_parser("add", help="add an agent, or update and re-enable one")
    add.add_argument("--telegram-id", type=telegram_id, required=True, help="the agent's Telegram user id")
    add.add_argument("--name", required=True, help="shown to customers: «<name> del equipo de atención…»")
    add.add_argument("--team", required=True, help="a team of case_policy.yml, e.g. logistica")
    add.add_argument("--level", type=int, choices=(2, 3), default=2, help="2 agent (default), 3 supervisor")
    listing = actions.add_parser("list", help="every agent, by team")
    listing.add_argument("--team", help="only this team")
    disable = actions.add_parser("disable", help="take an agent's permissions away (history is kept)")
    disable.add_argument("--telegram-id", type=telegram_id, required=True)


def run_agents_command(args: argparse.Namespace) -> int:
    migrate()
    with get_session_factory().begin() as session:
        if args.agents_command == "add":
            return add(session, args)
        if args.agents_command == "disable":
            return disable(session, args.telegram_id)
        print_agents(list_agents(session, args.team))
    return 0


def add(session: Session, args: argparse.Namespace) -> int:
    try:
        agent, created = register_agent(
            session, args.telegram_id, args.name, args.team, Level(args.level), get_policy()
        )
    except UnknownTeam as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    verb = "added" if created else "updated"
    print(
        f"{verb} {LEVEL_NAMES[agent.level]} {agent.name} ({agent.telegram_user_id}) in team {agent.team.name}"
    )
    return 0


def disable(session: Session, telegram_user_id: int) -> int:
    agent = disable_agent(session, telegram_user_id)
    if agent is None:
        print(f"error: no agent has Telegram id {telegram_user_id}", file=sys.stderr)
        return 1
    print(f"disabled {agent.name} ({telegram_user_id}); their cases and history are kept")
    return 0


def print_agents(agents: list[Agent]) -> None:
    if not agents:
        print("no agents registered yet: python -m bot agents add --telegram-id … --name … --team …")
        return
    rows = [("telegram id", "name", "team", "level", "active")]
    rows += [
        (str(a.telegram_user_id), a.name, a.team.name, LEVEL_NAMES[a.level], "yes" if a.active else "no")
        for a in agents
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
