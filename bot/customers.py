"""Customers: who writes to the assistant, and whether we can still write back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import insert_unless_present
from bot.store.models import Customer


@dataclass(frozen=True)
class Profile:
    """What a channel knows about the person behind a chat."""

    name: str | None = None
    telegram_user_id: int | None = None
    username: str | None = None
    language: str | None = None


def customer_by_chat(session: Session, chat_id: str) -> Customer | None:
    return session.execute(select(Customer).where(Customer.chat_id == chat_id)).scalar_one_or_none()


def upsert_customer(
    session: Session, chat_id: str, channel: str, name: str | None = None, profile: Profile | None = None
) -> Customer:
    """The customer of `chat_id`, created on first contact; known fields are refreshed."""
    profile = profile or Profile(name=name)
    customer = customer_by_chat(session, chat_id)
    if customer is None:  # inserted once even when two messages of a new chat arrive together
        insert_unless_present(session, Customer, chat_id=chat_id, channel=channel, reachable=True)
        customer = customer_by_chat(session, chat_id)
    for column in ("name", "telegram_user_id", "username", "language"):
        value = getattr(profile, column)
        if value is not None and getattr(customer, column) != value:
            setattr(customer, column, value)
    session.flush()
    return customer


def set_reachable(session: Session, chat_id: str, reachable: bool) -> None:
    """Mark whether the customer still accepts messages (False once they blocked the bot)."""
    customer = customer_by_chat(session, chat_id)
    if customer is not None:
        customer.reachable = reachable


def save_phone(session: Session, chat_id: str, channel: str, phone: str) -> None:
    upsert_customer(session, chat_id, channel).phone = phone
