"""Carrying out what an update asks (see `incoming.interpret`): turns, replies, files, buttons."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rasa.core.channels.channel import UserMessage
from sqlalchemy.orm import Session
from telegram import CallbackQuery, Message, Update, User
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.attachments import attach_file
from bot.cases import open_cases
from bot.customers import Profile, save_phone, set_reachable, upsert_customer
from bot.desk.chat_state import ChatState, chat_state
from bot.desk.commands import AgentsDesk
from bot.desk.survey_buttons import SurveyDesk
from bot.store.callback_payloads import callback_data_for, payload_for
from bot.store.models import Case, InboxState
from bot.survey.store import malformed_survey_answer, read_payload
from bot.telegram.inbox import StoreUnavailable, TelegramInbox
from bot.telegram.output import TelegramOutput
from bot.telegram.store_work import StoreWork
from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.buttons import answer_query, show_choice
from bot.telegram_api.config import CHANNEL
from bot.telegram_api.incoming import (
    AgentButton,
    AgentCommand,
    AgentMessage,
    Attach,
    ChangeReachability,
    Context,
    Ignore,
    Incoming,
    PressButton,
    Reply,
    ShareContact,
    ToAssistant,
    interpret,
)
from bot.telegram_api.keyboards import pressed_title

logger = logging.getLogger(__name__)

TYPING_AFTER_SECONDS = 1.0  # a quicker reply needs no "typing…" (and spares a request)
TYPING_REFRESH_SECONDS = 4.5  # Telegram shows "typing…" for 5 s
PRESSED_KEYBOARDS_REMEMBERED = 4096

T = TypeVar("T")
WAIT_APOLOGY = "utter_telegram_problema_espera"  # it will be processed: nothing to do
REPEAT_APOLOGY = "utter_telegram_problema_repite"  # it may be half done: check, or say it again
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Responses = Callable[[], dict[str, list[dict[str, Any]]]]
RequestedSlot = Callable[[str], Awaitable[str | None]]


class SafeFormat(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(responses: dict[str, list[dict[str, Any]]], name: str, **variables: Any) -> dict[str, Any] | None:
    """The first variation of domain response `name`, its `{placeholders}` filled."""
    variations = responses.get(name) or []
    if not variations:
        logger.error("domain response %s is missing", name)
        return None
    message = dict(variations[0])
    message["text"] = str(message.get("text") or "").format_map(SafeFormat(variables))
    return message


def profile_of(user: User | None) -> Profile:
    if user is None:
        return Profile()
    return Profile(user.full_name, user.id, user.username, user.language_code)


@dataclass
class UpdateProcessor:
    """Processes one update at a time for a chat (ordering is `ordering.ChatQueues`' job)."""

    telegram: BotThread
    context: Context
    on_new_message: OnNewMessage
    store_work: StoreWork
    responses: Responses
    requested_slot: RequestedSlot
    # The agents' desk: agents' updates, customers an agent has, survey answers. Without it
    # (no agents' group) commands are unknown and survey buttons expired.
    desk: AgentsDesk | None = None

    def __post_init__(self) -> None:
        self.pressed: OrderedDict[tuple[int, int], None] = OrderedDict()
        self.inbox = TelegramInbox(self.store_work)

    async def process(self, update: Update) -> None:
        """Process an update this server accepted, once, after its chat's earlier ones; when that
        fails the customer hears why, and the inbox records how it ended."""
        incoming = interpret(update, self.context)
        update_id = update.update_id
        try:
            begun = await self.inbox.start(update_id, self.begin(incoming))
        except StoreUnavailable as error:
            logger.error("update %s waits for the store to come back: %s", update_id, error)
            await self.apologize(incoming, WAIT_APOLOGY)
            self.inbox.release(update_id)  # taken over again once its lease runs out
            return
        except Exception:
            logger.exception("update %s could not be started; the customer is asked to repeat it", update_id)
            await self.apologize(incoming, REPEAT_APOLOGY)
            await self.inbox.finish(update_id, InboxState.FAILED)
            return
        if not begun.started:
            logger.info("update %s was already processed; ignored", update_id)
            return
        try:
            await self.handle(incoming, update, begun.read or ChatState())
        except Exception:
            logger.exception(
                "processing update %s failed; the customer is asked to check or repeat", update_id
            )
            await self.apologize(incoming, REPEAT_APOLOGY)
            await self.inbox.finish(update_id, InboxState.FAILED)
            return
        await self.inbox.finish(update_id)

    async def apologize(self, incoming: Incoming, response: str) -> None:
        chat_id = customer_chat(incoming)
        if chat_id is None:
            logger.warning("no customer to tell about the problem with %s", type(incoming).__name__)
            return
        with contextlib.suppress(Exception):  # nothing more can be done if even this fails
            await self.reply(chat_id, response)

    def begin(self, incoming: Incoming) -> Callable[[Session], ChatState | None]:
        """What starting the update also does, in its transaction: the customer behind it stored,
        and (with the agents' desk) their chat's state read."""
        customer = customer_of(incoming)

        def begin(session: Session) -> ChatState | None:
            if customer is None:
                return None
            chat_id, user = customer
            upsert_customer(session, str(chat_id), CHANNEL, profile=profile_of(user))
            return chat_state(session, str(chat_id)) if self.desk is not None else None

        return begin

    async def handle(self, incoming: Incoming, update: Update, state: ChatState) -> None:
        if self.desk is not None and await self.desk.relay.from_customer(
            incoming, update.effective_message, update.update_id, state.handoff_case
        ):
            return  # an agent has this customer's case: the bot stays silent
        if self.desk is not None and await self.survey_answer(self.desk.surveys, incoming, state):
            return  # typed instead of pressed
        await self.carry_out(incoming, update.update_id)

    async def carry_out(self, incoming: Incoming, update_id: int) -> None:
        match incoming:
            case ToAssistant():
                await self.turn(incoming.chat_id, incoming.text, update_id, incoming.metadata)
            case Reply():
                await self.reply(incoming.chat_id, incoming.response)
            case Attach():
                await self.attach(incoming, update_id)
            case ShareContact():
                await self.share_contact(incoming, update_id)
            case PressButton():
                await self.press(incoming.chat_id, incoming.query, update_id)
            case ChangeReachability():
                await self.store(set_reachable, str(incoming.chat_id), incoming.reachable)
            case AgentButton() | AgentCommand() | AgentMessage():
                await self.agents_update(incoming)
            case Ignore():
                logger.debug("update %s ignored: %s", update_id, incoming.reason)

    async def survey_answer(self, surveys: SurveyDesk, incoming: Incoming, state: ChatState) -> bool:
        survey = state.pending_survey
        if survey is None or not isinstance(incoming, ToAssistant) or incoming.text.startswith("/"):
            return False  # commands and button payloads are not typed answers
        return await surveys.typed(survey, incoming.text)

    async def agents_update(self, incoming: AgentButton | AgentCommand | AgentMessage) -> None:
        handled = self.desk is not None and await self.desk.handle(incoming)
        if not handled and isinstance(incoming, AgentCommand):  # not an agent: just a customer
            await self.reply(incoming.message.chat_id, "utter_telegram_comando_desconocido")

    def output(self) -> TelegramOutput:
        return TelegramOutput(self.telegram, self.callback_data, self)

    def callback_data(self, payload: str) -> str:
        return callback_data_for(self.store_work.session_factory, payload)

    async def turn(self, chat_id: int, text: str, update_id: int, metadata: dict[str, Any]) -> None:
        output = self.output()
        message = UserMessage(
            text,
            output,
            str(chat_id),
            input_channel=CHANNEL,
            message_id=f"tg-{update_id}",
            metadata=metadata,
        )
        async with self.typing(chat_id):
            await self.on_new_message(message)
        if output.posted == 0:  # Rasa logs a failed action and goes on: the customer would hear nothing
            logger.error(
                "the turn for update %s sent nothing; the customer is asked to check or repeat", update_id
            )
            await self.reply(chat_id, REPEAT_APOLOGY)

    async def reply(self, chat_id: int, response: str, **variables: Any) -> None:
        message = render(self.responses(), response, **variables)
        if message is not None:
            await self.output().send_response(str(chat_id), message)

    async def attach(self, incoming: Attach, update_id: int) -> None:
        chat = str(incoming.chat_id)
        case_number = await self.store(lambda s: number_of(attach_file(s, chat, CHANNEL, incoming.file)))
        response = attachment_response(case_number, bool(incoming.file.caption))
        await self.reply(incoming.chat_id, response, numero=case_number)
        if incoming.file.caption:  # the words that came with the file are a message of their own
            metadata = {"telegram": {"attachment": incoming.file.kind}}
            await self.turn(incoming.chat_id, incoming.file.caption, update_id, metadata)

    async def share_contact(self, incoming: ShareContact, update_id: int) -> None:
        """A shared contact answers the form's phone question; otherwise it is kept on file."""
        if await self.requested_slot(str(incoming.chat_id)) == "telefono":
            await self.turn(incoming.chat_id, incoming.phone, update_id, {"telegram": {"contact": True}})
            return
        await self.store(save_phone, str(incoming.chat_id), CHANNEL, incoming.phone)
        await self.reply(incoming.chat_id, "utter_telegram_contacto_guardado")

    async def press(self, chat_id: int, query: CallbackQuery, update_id: int) -> None:
        """Always answer the query; a keyboard counts once: it is edited away on first press.
        Only data on the pressed message's own keyboard counts (a client can send any data): anything
        else gets a polite pop-up and changes nothing."""
        data = query.data or ""
        message = query.message if isinstance(query.message, Message) else None
        title = pressed_title(message.reply_markup, data) if message else None
        if message is None or title is None:
            logger.info("button data not on the pressed message's keyboard in chat %s: refused", chat_id)
            await answer_query(self.telegram, query, self.text_of("utter_telegram_boton_caducado"))
            return
        payload = await self.run_store_work(payload_for, self.store_work.session_factory, data)
        key = (chat_id, message.message_id)
        if payload is None or key in self.pressed or malformed_survey_answer(payload):
            response = (
                "utter_telegram_boton_usado" if key in self.pressed else "utter_telegram_boton_caducado"
            )
            await answer_query(self.telegram, query, self.text_of(response))
            return
        self.remember_pressed(key)
        if self.desk is not None and (survey_answer := read_payload(payload)) is not None:
            await self.desk.surveys.press(chat_id, query, survey_answer, title)
            return
        await answer_query(self.telegram, query, None)
        show_choice(self.telegram, message, title)
        await self.turn(chat_id, payload, update_id, {"telegram": {"button": data}})

    def remember_pressed(self, key: tuple[int, int]) -> None:
        self.pressed[key] = None
        while len(self.pressed) > PRESSED_KEYBOARDS_REMEMBERED:
            self.pressed.popitem(last=False)

    def text_of(self, response: str) -> str | None:
        message = render(self.responses(), response)
        return message["text"] if message else None

    async def store(self, work: Callable[..., Any], *args: Any) -> Any:
        """Run `work(session, *args)` in one transaction (see `StoreWork`)."""
        return await self.store_work.transaction(work, *args)

    async def run_store_work(self, work: Callable[..., T], *args: Any) -> T:
        return await self.store_work.run(work, *args)

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" while a turn runs for longer than a second."""

        async def keep_typing() -> None:
            await asyncio.sleep(TYPING_AFTER_SECONDS)
            while True:
                with contextlib.suppress(TelegramError):
                    await self.telegram.call(lambda bot: bot.send_chat_action(chat_id, ChatAction.TYPING))
                await asyncio.sleep(TYPING_REFRESH_SECONDS)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # DeliveryObserver
    async def blocked(self, chat_id: int) -> None:
        logger.warning("chat %s blocked the bot; marked unreachable", chat_id)
        await self.store(set_reachable, str(chat_id), False)

    async def failed(self, chat_id: int, error: TelegramError) -> None:
        numbers = await self.store(open_case_numbers, str(chat_id))
        logger.error(
            "could not deliver a message to chat %s (cases: %s) after every retry: %s",
            chat_id,
            ", ".join(numbers) or "none open",
            error,
        )


def customer_of(incoming: Incoming) -> tuple[int, User | None] | None:
    """The customer's chat and user behind an update, if a customer sent it."""
    match incoming:
        case ToAssistant() | Reply() | Attach() | ShareContact():
            return incoming.chat_id, incoming.user
        case PressButton():
            return incoming.chat_id, incoming.query.from_user
    return None


def customer_chat(incoming: Incoming) -> int | None:
    customer = customer_of(incoming)
    return customer[0] if customer else None


def number_of(case: Case | None) -> str | None:
    return case.number if case is not None else None


def attachment_response(case_number: str | None, with_caption: bool) -> str:
    if case_number:
        return "utter_telegram_adjunto_en_caso"
    # With words, the caption is the next message: it may well register the case.
    return "utter_telegram_adjunto_recibido" if with_caption else "utter_telegram_adjunto_sin_caso"


def open_case_numbers(session: Session, chat_id: str) -> list[str]:
    return [case.number for case in open_cases(session, chat_id)]
