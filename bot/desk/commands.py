"""The agents' side of a handoff: Tomar and Historial on case cards, the commands in a case's
thread (/soltar /transferir /nota /tipo /cerrar /devolver) and agents' private /casos and /cola.

State lives in the store (`bot.handoff.rules`), so a restart of any process loses nothing: who owns
a case, whether the bot is silent, and which agents' group message belongs to which case.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from telegram import CallbackQuery
from telegram.constants import ParseMode

from bot.cases import (
    RELAYED_CHANNELS,
    finish_case,
    load_case,
    release_case,
    resolve_case,
    return_to_bot,
    retype_case,
    transfer_case,
)
from bot.desk.assist import EDIT, SEND, AgentAssist
from bot.desk.conversations import Conversations
from bot.desk.messenger import HandoffMessenger
from bot.desk.relay import Relay
from bot.desk.survey_buttons import SurveyDesk
from bot.desk.texts import case_line, for_agents, mentions, queue_line, status_label
from bot.handoff.agents import active_agent, list_agents, supervisors_of
from bot.handoff.case_card import HISTORY, TAKE, transcript_line
from bot.handoff.rules import (
    TakeOutcome,
    Target,
    add_note,
    agent_open_cases,
    case_in_thread,
    first_name,
    take_case,
    transcript,
    unassigned_queue,
)
from bot.labels import label, team_label
from bot.policy import CasePolicy, get_policy
from bot.store.models import Agent, Case, CaseType, Level, utcnow
from bot.survey.store import RESOLVED, start_survey
from bot.telegram_api.agents_incoming import AgentButton, AgentCommand, AgentMessage, replied_to, thread_of
from bot.telegram_api.splitting import split_message
from bot.timeline import agent_actor

logger = logging.getLogger(__name__)

SUPERVISOR_WORDS = {"supervisor", "supervisora", "supervision", "supervisión", "nivel 3", "3", "n3"}


@dataclass
class AgentsDesk:
    messenger: HandoffMessenger
    conversations: Conversations
    relay: Relay
    surveys: SurveyDesk
    policy: CasePolicy = field(default_factory=get_policy)
    assist: AgentAssist | None = None

    async def handle(self, incoming: AgentButton | AgentCommand | AgentMessage) -> bool:
        """Carry out an agents' update; False for a private command from someone who is not an
        agent (to the customer it is just an unknown command)."""
        match incoming:
            case AgentButton():
                await self.press(incoming)
            case AgentCommand(private=True):
                return await self.private_command(incoming)
            case AgentCommand():
                await self.command(incoming)
            case AgentMessage():
                await self.relay.from_agent(incoming.message)
        return True

    # --- Tomar and Historial -----------------------------------------------------------------

    async def press(self, button: AgentButton) -> None:
        query = button.query
        agent = await self.messenger.store(active_agent, query.from_user.id)
        if agent is None:
            await self.messenger.answer(query, for_agents("only_agents"), alert=True)
        elif button.action == TAKE:
            await self.take(query, agent, button.number)
        elif button.action == HISTORY:
            await self.messenger.answer(query, None)
            await self.history(button.number)
        elif button.action in (SEND, EDIT) and self.assist is not None:
            await self.assist.press(query, agent, button.action, button.number)
        else:
            await self.messenger.answer(query, for_agents("not_found"), alert=True)

    async def take(self, query: CallbackQuery, agent: Agent, number: str) -> None:
        result = await self.messenger.store(take_case, number, agent, utcnow())
        case = result.case
        if result.outcome is TakeOutcome.TAKEN:
            await self.messenger.answer(query, for_agents("taken_toast", numero=case.number))
            await self.start_handoff(case, agent)
        elif result.outcome is TakeOutcome.ALREADY_TAKEN and result.owner.id == agent.id:
            await self.messenger.answer(query, for_agents("taken_toast", numero=case.number))
        elif result.outcome is TakeOutcome.ALREADY_TAKEN:
            await self.messenger.answer(
                query, for_agents("already_taken", agente=result.owner.name), alert=True
            )
        elif result.outcome is TakeOutcome.NEEDS_SUPERVISOR:
            await self.messenger.answer(query, for_agents("needs_supervisor"), alert=True)
        elif result.outcome is TakeOutcome.NOT_OPEN:
            await self.messenger.answer(
                query, for_agents("not_open", numero=case.number, estado=status_label(case)), alert=True
            )
        else:
            await self.messenger.answer(query, for_agents("not_found"), alert=True)

    async def start_handoff(self, case: Case, agent: Agent) -> None:
        how = "how_forum" if case.agents_thread_id is not None else "how_replies"
        await self.messenger.tell_agents(
            case, for_agents("taken", agente=agent.name, como=label("handoff", how))
        )
        if case.channel in RELAYED_CHANNELS:
            await self.conversations.pause(case.customer.chat_id)
            await self.messenger.tell_customer(case, "taken", agente=first_name(agent))
            if self.assist is not None:
                await self.assist.suggest(case, agent)

    async def history(self, number: str) -> None:
        def read(session: Session) -> tuple[Case | None, list[str]]:
            case = load_case(session, number)
            if case is None:
                return None, []
            names = {a.id: a.name for a in list_agents(session)}
            return case, [transcript_line(m, names, full=True) for m in transcript(session, case)]

        case, lines = await self.messenger.store(read)
        if case is None:
            return
        text = "\n".join(
            [for_agents("history_title", numero=case.number), *(lines or [for_agents("history_empty")])]
        )
        for part in split_message(text, html=True):
            await self.messenger.tell_agents(case, part)

    # --- commands in a case's thread -----------------------------------------------------------

    async def command(self, command: AgentCommand) -> None:
        message = command.message
        agent = await self.messenger.store(active_agent, message.from_user.id)
        if agent is None:
            await self.messenger.reply(message, for_agents("only_agents"))
            return
        handler = COMMANDS.get(command.name)
        if handler is None:
            await self.messenger.reply(message, for_agents("commands"))
            return
        case = await self.messenger.store(
            case_in_thread, message.chat_id, thread_of(message), replied_to(message)
        )
        if case is None:
            await self.messenger.reply(message, for_agents("outside_case"))
        elif not case.is_open:
            await self.messenger.reply(
                message, for_agents("not_open", numero=case.number, estado=status_label(case))
            )
        elif command.name != "nota" and (refusal := owner_refusal(case, agent)):
            await self.messenger.reply(message, refusal)
        else:
            await handler(self, command, agent, case)

    async def end_handoff(self, case: Case) -> None:
        if case.channel in RELAYED_CHANNELS:
            await self.conversations.resume(case.customer.chat_id)

    async def release(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        await self.messenger.change(case, release_case, agent_actor(agent))
        await self.end_handoff(case)
        await self.messenger.tell_customer(case, "released")
        await self.messenger.reply(command.message, for_agents("released", agente=agent.name))

    async def transfer(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        target = self.transfer_target(command.args)
        if target is None:
            teams = ", ".join(sorted(self.policy.team_labels))
            await self.messenger.reply(command.message, for_agents("usage_transfer", equipos=teams))
            return
        await self.messenger.change(case, transfer_case, agent_actor(agent), target.team, target.level)
        await self.end_handoff(case)
        team = target.team or (case.team.name if case.team else "")
        if target.level is not None:
            await self.messenger.tell_customer(case, "transferred_supervisor")
            destination, notified = (
                label("handoff", "to_supervisors"),
                await self.messenger.store(supervisors_of, team),
            )
        else:
            await self.messenger.tell_customer(case, "transferred_team", equipo=team_label(team))
            destination = for_agents("to_team", equipo=team_label(team))
            notified = [a for a in await self.messenger.store(list_agents, team) if a.active]
        await self.messenger.reply(
            command.message,
            label("handoff", "transferred").format(
                agente=html.escape(agent.name), destino=destination, avisados=mentions(notified)
            ),
        )

    def transfer_target(self, args: str) -> Target | None:
        wanted = args.strip().lower()
        if wanted in SUPERVISOR_WORDS:
            return Target(level=Level.SUPERVISOR)
        for team, team_name in self.policy.team_labels.items():
            if wanted in {team, team_name.lower()}:
                return Target(team=team)
        return None

    async def note(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        if not command.args:
            await self.messenger.reply(command.message, for_agents("usage_note"))
            return
        await self.messenger.change(case, add_note, agent, command.args)
        await self.messenger.reply(command.message, for_agents("note_saved"))

    async def retype(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        try:
            case_type = CaseType(command.args.strip().lower())
        except ValueError:
            await self.messenger.reply(command.message, for_agents("usage_type"))
            return
        previous = await self.messenger.change(case, retype_case, case_type, agent_actor(agent))
        await self.messenger.reply(
            command.message,
            for_agents(
                "type_corrected",
                antes=label("case_type", previous),
                ahora=label("case_type", case_type.value),
            ),
        )

    async def close(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        if not command.args:
            await self.messenger.reply(command.message, for_agents("usage_close"))
            return
        surveyed = await self.messenger.change(case, resolve_with_survey, agent, command.args)
        await self.end_handoff(case)
        await self.messenger.tell_customer(case, "resolved", resolucion=command.args)
        if surveyed:
            await self.surveys.ask(case, RESOLVED)
        await self.messenger.reply(
            command.message, for_agents("resolved", agente=agent.name, resolucion=command.args)
        )

    async def give_back(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        await self.messenger.change(case, return_to_bot, agent_actor(agent))
        await self.end_handoff(case)
        owner = case.assigned_agent or agent
        await self.messenger.tell_customer(case, "returned", agente=first_name(owner))
        await self.messenger.reply(command.message, for_agents("returned"))

    # --- agents' private commands ------------------------------------------------------------

    async def private_command(self, command: AgentCommand) -> bool:
        message = command.message
        agent = await self.messenger.store(active_agent, message.from_user.id)
        if agent is None:
            return False
        if command.name == "casos":
            cases = await self.messenger.store(agent_open_cases, agent)
            title = for_agents("my_cases", n=len(cases)) if cases else for_agents("my_cases_empty")
            lines = [case_line(case) for case in cases]
        else:
            cases = await self.messenger.store(unassigned_queue)
            title = for_agents("queue", n=len(cases)) if cases else for_agents("queue_empty")
            now = utcnow()
            lines = [queue_line(case, now) for case in cases]
        for part in split_message("\n".join([title, *lines]), html=True):
            await self.messenger.send(message.chat_id, part, parse_mode=ParseMode.HTML)
        return True


def resolve_with_survey(session: Session, case: Case, agent: Agent, resolution: str) -> bool:
    """Resolve the case and start its survey, in one transaction; True if a survey started. With
    no survey to wait for (a customer outside Telegram), the case is closed at once."""
    resolve_case(session, case, resolution, agent_actor(agent))
    if start_survey(session, case) is not None:
        return True
    finish_case(session, case, agent_actor(agent))
    return False


def owner_refusal(case: Case, agent: Agent) -> str | None:
    """Only the case's owner (or a supervisor) may hand it on, close it or give it back."""
    if agent.level >= Level.SUPERVISOR or case.assigned_agent_id == agent.id:
        return None
    if case.assigned_agent is None:
        return for_agents("take_first", numero=case.number)
    return for_agents("not_owner", agente=case.assigned_agent.name)


COMMANDS: dict[str, Callable[[AgentsDesk, AgentCommand, Agent, Case], Awaitable[None]]] = {
    "soltar": AgentsDesk.release,
    "transferir": AgentsDesk.transfer,
    "nota": AgentsDesk.note,
    "tipo": AgentsDesk.retype,
    "cerrar": AgentsDesk.close,
    "devolver": AgentsDesk.give_back,
}
