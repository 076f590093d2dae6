"""The agents' side of a handoff: Tomar and Historial on case cards, the case commands, and
the relay between a case's thread in the agents' group and its customer.

State lives in the store (`bot.handoff`), so a restart of any process loses nothing: who owns
a case, whether the bot is silent, and which agents' group message belongs to which case.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import CallbackQuery, Message
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.agents import active_agent, list_agents, supervisors_of
from bot.attachments import attach_file
from bot.case_card import HISTORY, TAKE, transcript_line
from bot.customers import save_phone, set_reachable
from bot.handoff import (
    TakeOutcome,
    Target,
    add_note,
    agent_actor,
    agent_open_cases,
    case_in_thread,
    correct_type,
    customer_left,
    first_name,
    handoff_case,
    load_case,
    record_agent_message,
    record_customer_message,
    release_case,
    remember_post,
    resolve_case,
    resume_handoff,
    return_to_bot,
    take_case,
    transcript,
    transfer_case,
    unassigned_queue,
)
from bot.labels import label, team_label, topic_label
from bot.models import Agent, Case, CaseType, Handoff, Level, utcnow
from bot.policy import CasePolicy, get_policy
from bot.telegram.agents_incoming import AgentButton, AgentCommand, AgentMessage, replied_to, thread_of
from bot.telegram.bot_thread import BotThread
from bot.telegram.conversations import Conversations
from bot.telegram.delivery import deliver
from bot.telegram.incoming import Attach, PressButton, Reply, ShareContact, ToAssistant
from bot.telegram.splitting import split_message
from bot.timeline import CUSTOMER_ACTOR, add_event

logger = logging.getLogger(__name__)

T = TypeVar("T")
Store = Callable[..., Awaitable[Any]]  # store(work, *args): work(session, *args) in one transaction

TELEGRAM = "telegram"
GOODBYE_INTENT = "despedida"
SUPERVISOR_WORDS = {"supervisor", "supervisora", "supervision", "supervisión", "nivel 3", "3", "n3"}
# The media replies of `incoming.reply_for_media`: in a handoff the agent gets the thing itself.
RELAYED_MEDIA = {
    "utter_telegram_audio",
    "utter_telegram_sticker",
    "utter_telegram_ubicacion",
    "utter_telegram_encuesta",
    "utter_telegram_no_soportado",
}


def for_agents(key: str, **variables: Any) -> str:
    """A `handoff` text for the agents' group (HTML), its variables escaped."""
    escaped = {name: html.escape(str(value)) for name, value in variables.items()}
    return label("handoff", key).format(**escaped)


def for_customer(key: str, **variables: Any) -> str:
    return label("handoff", "to_customer")[key].format(**variables)


def status_label(case: Case) -> str:
    return label("status", case.status)


def media_label(message: Message) -> str:
    """How a non-text message is written in the transcript."""
    kinds = [
        ("photo", "foto"), ("document", "documento"), ("voice", "nota de voz"), ("audio", "audio"),
        ("video", "vídeo"), ("video_note", "vídeo"), ("sticker", "sticker"), ("location", "ubicación"),
        ("contact", "contacto"), ("poll", "encuesta"), ("animation", "gif"),
    ]  # fmt: skip
    kind = next((name for attribute, name in kinds if getattr(message, attribute, None)), "mensaje")
    caption = f" {message.caption}" if message.caption else ""
    return f"[{kind}]{caption}"


def format_wait(waited: timedelta) -> str:
    minutes = int(waited.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} d {minutes // 60 % 24} h"


@dataclass
class AgentsDesk:
    telegram: BotThread
    store: Store
    conversations: Conversations
    agents_chat_id: int | None
    policy: CasePolicy = field(default_factory=get_policy)

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
                await self.agent_message(incoming.message)
        return True

    # --- sending ---------------------------------------------------------------------------

    async def send(self, chat_id: int | str, text: str, **options: Any) -> Message:
        return await self.telegram.call(
            lambda bot: deliver(lambda: bot.send_message(chat_id, text, **options))
        )

    async def reply(self, message: Message, text: str) -> None:
        """Answer an agent where they wrote (same topic, as a reply)."""
        try:
            await self.send(
                message.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_of(message),
                reply_to_message_id=message.message_id,
            )
        except TelegramError as error:
            logger.warning("could not answer agent message %s: %s", message.message_id, error)

    async def answer(self, query: CallbackQuery, text: str | None, alert: bool = False) -> None:
        try:
            await self.telegram.call(
                lambda bot: bot.answer_callback_query(query.id, text=text, show_alert=alert)
            )
        except TelegramError as error:
            logger.warning("could not answer callback query %s: %s", query.id, error)

    def where(self, case: Case) -> dict[str, Any]:
        """Where a message about `case` goes in the agents' group: its topic, or under its card."""
        if case.agents_thread_id is not None:
            return {"message_thread_id": case.agents_thread_id}
        if case.card_message_id is not None:
            return {"reply_to_message_id": case.card_message_id, "allow_sending_without_reply": True}
        return {}

    async def tell_agents(self, case: Case, text: str) -> tuple[int, int] | None:
        """Post HTML in the case's thread; the post is remembered as the case's."""
        chat = self.agents_chat_id
        if chat is None:
            logger.warning("TELEGRAM_AGENTS_CHAT_ID is not set: agents not told about case %s", case.number)
            return None
        try:
            sent = await self.send(chat, text, parse_mode=ParseMode.HTML, **self.where(case))
        except TelegramError as error:
            logger.error("could not post in the thread of case %s: %s", case.number, error)
            return None
        await self.store(remember_post, case, chat, sent.message_id)
        return chat, sent.message_id

    async def tell_customer(self, case: Case, key: str, **variables: Any) -> bool:
        """A handoff notice to the customer, recorded as a case event; False if not delivered."""
        if case.channel != TELEGRAM:
            return False
        chat_id = case.customer.chat_id
        text = for_customer(key, numero=case.number, **variables)
        try:
            await self.send(chat_id, text)
        except Forbidden:
            await self.customer_blocked(case)
            return False
        except TelegramError as error:
            logger.error("notice %s of case %s not delivered: %s", key, case.number, error)
            await self.tell_agents(case, for_agents("not_delivered", error=str(error)))
            return False
        await self.change(
            case, lambda session, fresh: add_event(session, fresh, "customer_notified", notice=key)
        )
        return True

    async def customer_blocked(self, case: Case) -> None:
        await self.store(set_reachable, case.customer.chat_id, False)
        await self.tell_agents(case, for_agents("blocked"))

    # --- Tomar and Historial -----------------------------------------------------------------

    async def press(self, button: AgentButton) -> None:
        query = button.query
        agent = await self.store(active_agent, query.from_user.id)
        if agent is None:
            await self.answer(query, for_agents("only_agents"), alert=True)
        elif button.action == TAKE:
            await self.take(query, agent, button.number)
        elif button.action == HISTORY:
            await self.answer(query, None)
            await self.history(button.number)
        else:
            await self.answer(query, for_agents("not_found"), alert=True)

    async def take(self, query: CallbackQuery, agent: Agent, number: str) -> None:
        result = await self.store(take_case, number, agent, utcnow())
        case = result.case
        if result.outcome is TakeOutcome.TAKEN:
            await self.answer(query, for_agents("taken_toast", numero=case.number))
            await self.start_handoff(case, agent)
        elif result.outcome is TakeOutcome.ALREADY_TAKEN and result.owner.id == agent.id:
            await self.answer(query, for_agents("taken_toast", numero=case.number))
        elif result.outcome is TakeOutcome.ALREADY_TAKEN:
            await self.answer(query, for_agents("already_taken", agente=result.owner.name), alert=True)
        elif result.outcome is TakeOutcome.NEEDS_SUPERVISOR:
            await self.answer(query, for_agents("needs_supervisor"), alert=True)
        elif result.outcome is TakeOutcome.NOT_OPEN:
            await self.answer(
                query, for_agents("not_open", numero=case.number, estado=status_label(case)), alert=True
            )
        else:
            await self.answer(query, for_agents("not_found"), alert=True)

    async def start_handoff(self, case: Case, agent: Agent) -> None:
        how = "how_forum" if case.agents_thread_id is not None else "how_replies"
        await self.tell_agents(case, for_agents("taken", agente=agent.name, como=label("handoff", how)))
        if case.channel == TELEGRAM:
            await self.conversations.pause(case.customer.chat_id)
            await self.tell_customer(case, "taken", agente=first_name(agent))

    async def history(self, number: str) -> None:
        def read(session: Session) -> tuple[Case | None, list[str]]:
            case = load_case(session, number)
            if case is None:
                return None, []
            names = {a.id: a.name for a in list_agents(session)}
            return case, [transcript_line(m, names, full=True) for m in transcript(session, case)]

        case, lines = await self.store(read)
        if case is None:
            return
        text = "\n".join(
            [for_agents("history_title", numero=case.number), *(lines or [for_agents("history_empty")])]
        )
        for part in split_message(text, html=True):
            await self.tell_agents(case, part)

    # --- commands in a case's thread -----------------------------------------------------------

    async def command(self, command: AgentCommand) -> None:
        message = command.message
        agent = await self.store(active_agent, message.from_user.id)
        if agent is None:
            await self.reply(message, for_agents("only_agents"))
            return
        handler = COMMANDS.get(command.name)
        if handler is None:
            await self.reply(message, for_agents("commands"))
            return
        case = await self.store(case_in_thread, message.chat_id, thread_of(message), replied_to(message))
        if case is None:
            await self.reply(message, for_agents("outside_case"))
        elif not case.is_open:
            await self.reply(message, for_agents("not_open", numero=case.number, estado=status_label(case)))
        elif command.name != "nota" and (refusal := owner_refusal(case, agent)):
            await self.reply(message, refusal)
        else:
            await handler(self, command, agent, case)

    async def change(self, case: Case, work: Callable[..., T], *args: Any) -> T:
        """`work(session, case, *args)` on a fresh copy of `case`, in one transaction."""
        return await self.store(lambda s: work(s, load_case(s, case.number), *args))

    async def end_handoff(self, case: Case) -> None:
        if case.channel == TELEGRAM:
            await self.conversations.resume(case.customer.chat_id)

    async def release(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        await self.change(case, release_case, agent)
        await self.end_handoff(case)
        await self.tell_customer(case, "released")
        await self.reply(command.message, for_agents("released", agente=agent.name))

    async def transfer(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        target = self.transfer_target(command.args)
        if target is None:
            teams = ", ".join(sorted(self.policy.team_labels))
            await self.reply(command.message, for_agents("usage_transfer", equipos=teams))
            return
        await self.change(case, transfer_case, agent, target)
        await self.end_handoff(case)
        team = target.team or (case.team.name if case.team else "")
        if target.level is not None:
            await self.tell_customer(case, "transferred_supervisor")
            destination, notified = label("handoff", "to_supervisors"), await self.store(supervisors_of, team)
        else:
            await self.tell_customer(case, "transferred_team", equipo=team_label(team))
            destination = for_agents("to_team", equipo=team_label(team))
            notified = [a for a in await self.store(list_agents, team) if a.active]
        await self.reply(
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
            await self.reply(command.message, for_agents("usage_note"))
            return
        await self.change(case, add_note, agent, command.args)
        await self.reply(command.message, for_agents("note_saved"))

    async def retype(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        try:
            case_type = CaseType(command.args.strip().lower())
        except ValueError:
            await self.reply(command.message, for_agents("usage_type"))
            return
        previous = await self.change(case, correct_type, agent, case_type)
        await self.reply(
            command.message,
            for_agents(
                "type_corrected",
                antes=label("case_type", previous),
                ahora=label("case_type", case_type.value),
            ),
        )

    async def close(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        if not command.args:
            await self.reply(command.message, for_agents("usage_close"))
            return
        await self.change(case, resolve_case, agent, command.args)
        await self.end_handoff(case)
        await self.tell_customer(case, "resolved", resolucion=command.args)
        await self.reply(command.message, for_agents("resolved", agente=agent.name, resolucion=command.args))

    async def give_back(self, command: AgentCommand, agent: Agent, case: Case) -> None:
        await self.change(case, return_to_bot, agent)
        await self.end_handoff(case)
        owner = case.assigned_agent or agent
        await self.tell_customer(case, "returned", agente=first_name(owner))
        await self.reply(command.message, for_agents("returned"))

    # --- agents' private commands ------------------------------------------------------------

    async def private_command(self, command: AgentCommand) -> bool:
        message = command.message
        agent = await self.store(active_agent, message.from_user.id)
        if agent is None:
            return False
        if command.name == "casos":
            cases = await self.store(agent_open_cases, agent)
            title = for_agents("my_cases", n=len(cases)) if cases else for_agents("my_cases_empty")
            lines = [case_line(case) for case in cases]
        else:
            cases = await self.store(unassigned_queue)
            title = for_agents("queue", n=len(cases)) if cases else for_agents("queue_empty")
            now = utcnow()
            lines = [queue_line(case, now) for case in cases]
        for part in split_message("\n".join([title, *lines]), html=True):
            await self.send(message.chat_id, part, parse_mode=ParseMode.HTML)
        return True

    # --- the relay -----------------------------------------------------------------------------

    async def agent_message(self, message: Message) -> None:
        """An agent's message in a case's thread goes to the customer, with the agent's name."""
        case = await self.store(case_in_thread, message.chat_id, thread_of(message), replied_to(message))
        if case is None:  # the group's own conversation
            logger.debug("agents' group message %s is about no case", message.message_id)
            return
        agent = await self.store(active_agent, message.from_user.id)
        refusal = relay_refusal(case, agent)
        if refusal is not None:
            await self.reply(message, refusal)
            return
        if case.handoff is None:  # the owner writes again after /devolver: the bot steps aside
            await self.change(case, resume_handoff, agent_actor(agent))
            await self.conversations.pause(case.customer.chat_id)
        try:
            await self.deliver_to_customer(case, agent, message)
        except Forbidden:
            await self.customer_blocked(case)
            return
        except TelegramError as error:
            logger.error("agent message for case %s not delivered: %s", case.number, error)
            await self.reply(message, for_agents("not_delivered", error=str(error)))
            return
        text = message.text or media_label(message)
        await self.change(
            case, record_agent_message, agent, text, (message.chat_id, message.message_id), utcnow()
        )

    async def deliver_to_customer(self, case: Case, agent: Agent, message: Message) -> None:
        chat_id, name = case.customer.chat_id, first_name(agent)
        if message.text:
            for part in split_message(for_customer("agent_says", agente=name, texto=message.text)):
                await self.send(chat_id, part)
            return
        caption = f"{name}: {message.caption}" if message.caption else None
        await self.telegram.call(
            lambda bot: deliver(
                lambda: bot.copy_message(chat_id, message.chat_id, message.message_id, caption=caption)
            )
        )

    async def relay_from_customer(self, incoming: Any, message: Message | None, update_id: int) -> bool:
        """While an agent has the customer's case, what they send goes to the case's thread and
        the bot stays silent; False when no agent has it (the bot answers as usual)."""
        if not isinstance(incoming, (ToAssistant, Attach, ShareContact, Reply, PressButton)):
            return False
        if isinstance(incoming, Reply) and incoming.response not in RELAYED_MEDIA:
            return False  # /ayuda, edits, unknown commands: answered as usual
        case = await self.store(handoff_case, str(incoming.chat_id))
        if case is None:
            return False
        owner = first_name(case.assigned_agent)
        if isinstance(incoming, PressButton):
            await self.answer(incoming.query, for_customer("with_agent", agente=owner, numero=case.number))
        elif isinstance(incoming, ToAssistant) and (message is None or incoming.text.startswith("/")):
            await self.tell_customer(case, "with_agent", agente=owner)
        else:
            await self.relay(case, incoming, message, update_id)
        return True

    async def relay(self, case: Case, incoming: Any, message: Message, update_id: int) -> None:
        chat = str(incoming.chat_id)
        if case.handoff == Handoff.CUSTOMER_LEFT.value:
            await self.change(case, resume_handoff, CUSTOMER_ACTOR)
            await self.tell_agents(case, for_agents("customer_back"))
        if isinstance(incoming, Attach):
            await self.store(attach_file, chat, TELEGRAM, incoming.file)
        elif isinstance(incoming, ShareContact):
            await self.store(save_phone, chat, TELEGRAM, incoming.phone)
        name = case.customer.name or chat
        if isinstance(incoming, ToAssistant):
            text = incoming.text
            post = await self.tell_agents(case, for_agents("customer_says", cliente=name, texto=text))
        else:
            text = media_label(message)
            await self.tell_agents(case, for_agents("customer_sent", cliente=name))
            post = await self.copy_to_agents(case, message)
        await self.change(case, record_customer_message, text, post)
        metadata = {"telegram": {"message_id": message.message_id, "handoff": case.number}}
        intent = await self.conversations.log_user_message(chat, text, f"tg-{update_id}", metadata)
        if intent == GOODBYE_INTENT:
            await self.change(case, customer_left)
            await self.tell_customer(case, "goodbye", agente=first_name(case.assigned_agent))
            await self.tell_agents(case, for_agents("customer_left"))

    async def copy_to_agents(self, case: Case, message: Message) -> tuple[int, int] | None:
        chat = self.agents_chat_id
        if chat is None:
            return None
        try:
            copied = await self.telegram.call(
                lambda bot: deliver(
                    lambda: bot.copy_message(chat, message.chat_id, message.message_id, **self.where(case))
                )
            )
        except TelegramError as error:
            logger.error("could not copy a customer's file to case %s: %s", case.number, error)
            return None
        return chat, copied.message_id


def owner_refusal(case: Case, agent: Agent) -> str | None:
    """Only the case's owner (or a supervisor) may hand it on, close it or give it back."""
    if agent.level >= Level.SUPERVISOR or case.assigned_agent_id == agent.id:
        return None
    if case.assigned_agent is None:
        return for_agents("take_first", numero=case.number)
    return for_agents("not_owner", agente=case.assigned_agent.name)


def relay_refusal(case: Case, agent: Agent | None) -> str | None:
    if agent is None:
        return for_agents("only_agents")
    if not case.is_open:
        return for_agents("not_relayed_closed", numero=case.number, estado=status_label(case))
    if case.channel != TELEGRAM:
        return for_agents("not_relayed_channel", numero=case.number, canal=case.channel)
    if case.assigned_agent is None:
        return for_agents("not_relayed_unassigned", numero=case.number)
    if case.assigned_agent_id != agent.id:
        return for_agents("not_relayed_other", numero=case.number, agente=case.assigned_agent.name)
    return None


def mentions(agents: list[Agent]) -> str:
    if not agents:
        return label("handoff", "nobody_to_notify")
    names = ", ".join(
        f'<a href="tg://user?id={agent.telegram_user_id}">{html.escape(agent.name)}</a>' for agent in agents
    )
    return label("handoff", "notified").format(nombres=names)


def case_line(case: Case) -> str:
    return for_agents(
        "case_line",
        numero=case.number,
        tipo=label("case_type", case.type),
        tema=topic_label(case.type, case.topic),
        estado=status_label(case),
        cliente=case.customer.name or "—",
    )


def queue_line(case: Case, now: Any) -> str:
    return for_agents(
        "queue_line",
        numero=case.number,
        tipo=label("case_type", case.type),
        tema=topic_label(case.type, case.topic),
        equipo=team_label(case.team.name) if case.team else "—",
        espera=format_wait(now - case.created_at),
    )


COMMANDS: dict[str, Callable[[AgentsDesk, AgentCommand, Agent, Case], Awaitable[None]]] = {
    "soltar": AgentsDesk.release,
    "transferir": AgentsDesk.transfer,
    "nota": AgentsDesk.note,
    "tipo": AgentsDesk.retype,
    "cerrar": AgentsDesk.close,
    "devolver": AgentsDesk.give_back,
}
