"""What an update from the agents' side asks: the agents' group (card buttons, case commands,
replies for the customer) and agents' private commands. Pure functions, like `incoming`."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Message

AGENT_PRIVATE_COMMANDS = {"casos", "cola"}


@dataclass(frozen=True)
class AgentButton:
    """Tomar or Historial on a case card."""

    query: CallbackQuery
    action: str
    number: str


@dataclass(frozen=True)
class AgentCommand:
    """`/cerrar …` and friends in a case's thread, or `/casos` `/cola` in private."""

    message: Message
    name: str
    args: str
    private: bool = False


@dataclass(frozen=True)
class AgentMessage:
    """Anything else an agent posts in the agents' group: for the customer, if in a case thread."""

    message: Message


def agent_button(query: CallbackQuery) -> AgentButton:
    action, _, number = (query.data or "").partition(":")
    return AgentButton(query, action, number)


def thread_of(message: Message) -> int | None:
    """The forum topic a message is in (None in the General topic or a plain group)."""
    return message.message_thread_id if message.is_topic_message else None


def replied_to(message: Message) -> int | None:
    replied = message.reply_to_message
    if replied is None or (message.is_topic_message and replied.message_id == message.message_thread_id):
        return None  # in a topic, every message "replies" to the topic's first message
    return replied.message_id
