"""The agents' register: who may take cases, from the store and from `python -m bot agents`."""

from __future__ import annotations

import pytest

from bot.__main__ import main
from bot.handoff.agents import UnknownTeam, active_agent, list_agents, register_agent, supervisors_of
from bot.store.models import Level


def test_an_agent_is_registered_updated_and_re_enabled_by_telegram_id(session_factory, policy):
    with session_factory.begin() as session:
        _, created = register_agent(session, 111, "Lucía", "logistica", Level.AGENT, policy)
        assert created
        _, created = register_agent(session, 111, "Lucía Pérez", "calidad", Level.SUPERVISOR, policy)
        assert not created
    with session_factory() as session:
        (agent,) = list_agents(session)
        assert (agent.name, agent.team.name, agent.level, agent.active) == ("Lucía Pérez", "calidad", 3, True)
        assert agent.team.description == "Calidad"


def test_only_teams_of_the_case_policy_are_accepted(session_factory, policy):
    with session_factory.begin() as session, pytest.raises(UnknownTeam) as refused:
        register_agent(session, 5, "Ana", "marketing", Level.AGENT, policy)
    assert "logistica" in str(refused.value)


def test_disabled_and_unknown_users_are_not_agents(session_factory, policy, database_url, capsys):
    with session_factory.begin() as session:
        register_agent(session, 111, "Lucía", "logistica", Level.AGENT, policy)
        register_agent(session, 222, "Marta", "logistica", Level.SUPERVISOR, policy)
    assert main(["agents", "disable", "--telegram-id", "111"]) == 0
    with session_factory() as session:
        assert active_agent(session, 111) is None and active_agent(session, 999) is None
        assert active_agent(session, 222).name == "Marta"
        assert [s.name for s in supervisors_of(session, "logistica")] == ["Marta"]


def test_the_command_line_adds_lists_and_explains_its_errors(database_url, capsys):
    assert main(["agents", "list"]) == 0
    assert "no agents registered yet" in capsys.readouterr().out
    assert (
        main(["agents", "add", "--telegram-id", "111", "--name", "Lucía Pérez", "--team", "logistica"]) == 0
    )
    assert "added agent Lucía Pérez (111) in team logistica" in capsys.readouterr().out
    command = [
        "agents",
        "add",
        "--telegram-id",
        "222",
        "--name",
        "Marta",
        "--team",
        "tiendas",
        "--level",
        "3",
    ]
    assert main(command) == 0
    assert "added supervisor Marta (222) in team tiendas" in capsys.readouterr().out
    assert main(["agents", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["telegram", "id", "name", "team", "level", "active"]
    assert listing[1].split() == ["111", "Lucía", "Pérez", "logistica", "agent", "yes"]
    assert listing[2].split() == ["222", "Marta", "tiendas", "supervisor", "yes"]

    assert main(["agents", "add", "--telegram-id", "3", "--name", "X", "--team", "marketing"]) == 2
    assert "unknown team 'marketing'" in capsys.readouterr().err
    assert main(["agents", "disable", "--telegram-id", "999"]) == 1
    assert "no agent has Telegram id 999" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["agents", "add", "--telegram-id", "-5", "--name", "X", "--team", "tiendas"])
    assert "positive number" in capsys.readouterr().err
