"""What the Telegram channel keeps in the store: files, long button payloads, customers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.attachments import SentFile, attach_file, case_attachments
from bot.cases import Demand, register_case
from bot.customers import Profile, customer_by_chat, save_phone, set_reachable, upsert_customer
from bot.store.callback_payloads import CALLBACK_DATA_LIMIT, callback_data_for, payload_for
from bot.store.models import CaseEvent, CaseType

NOW = datetime(2026, 11, 24, 10, 0)
PHOTO = SentFile("photo", "AgACAgQAAxkBAAI", "AQADx7", caption="así llegó la caja")


def queja(chat: str) -> Demand:
    return Demand(chat, "telegram", CaseType.QUEJA, "envio", "La caja llegó rota", source_key=f"{chat}:1")


def test_a_photo_is_attached_to_the_customers_open_case(session_factory, policy):
    with session_factory.begin() as session:
        number = register_case(session, queja("100"), policy, NOW).number
    with session_factory.begin() as session:
        case = attach_file(session, "100", "telegram", PHOTO, NOW)
        assert case is not None and case.number == number
        assert [(a.kind, a.file_id, a.caption) for a in case_attachments(session, case)] == [
            ("photo", PHOTO.file_id, "así llegó la caja")
        ]
        kinds = session.execute(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).scalars().all()
        assert kinds[-1] == "attachment_added"


def test_a_photo_sent_before_any_case_joins_the_next_case_registered(session_factory, policy):
    with session_factory.begin() as session:
        assert attach_file(session, "200", "telegram", PHOTO, NOW) is None
    with session_factory.begin() as session:
        case = register_case(session, queja("200"), policy, NOW)
        assert [a.file_id for a in case_attachments(session, case)] == [PHOTO.file_id]


def test_a_photo_never_joins_another_customers_case(session_factory, policy):
    with session_factory.begin() as session:
        register_case(session, queja("300"), policy, NOW)
        assert attach_file(session, "301", "telegram", PHOTO, NOW) is None


def test_short_button_payloads_travel_as_they_are(session_factory):
    payload = '/solicitud{"tipo_solicitud": "cambio_direccion"}'
    assert callback_data_for(session_factory, payload) == payload
    assert payload_for(session_factory, payload) == payload


def test_long_button_payloads_travel_as_a_stored_key(session_factory):
    payload = '/consultar_caso{"numero_caso": "Q-2026-000123", "origen": "recordatorio de encuesta"}'
    data = callback_data_for(session_factory, payload)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT and data != payload
    assert callback_data_for(session_factory, payload) == data  # same payload, same key
    assert payload_for(session_factory, data) == payload
    assert payload_for(session_factory, "#desconocido") is None


def test_a_telegram_customer_is_upserted_and_can_become_unreachable(session_factory):
    profile = Profile("Ana García", 42, "anagarcia", "es")
    with session_factory.begin() as session:
        upsert_customer(session, "42", "telegram", profile=profile)
        upsert_customer(session, "42", "telegram", profile=Profile("Ana G.", 42, None, "es"))
        set_reachable(session, "42", False)
        save_phone(session, "42", "telegram", "+34612345678")
    with session_factory() as session:
        customer = customer_by_chat(session, "42")
        assert (customer.name, customer.username, customer.language) == ("Ana G.", "anagarcia", "es")
        assert customer.reachable is False and customer.phone == "+34612345678"
