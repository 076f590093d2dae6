"""The queja and solicitud forms ask only what the case needs and re-ask bad answers."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk.executor import CollectingDispatcher

from actions import store
from actions.forms import ValidateQuejaForm, ValidateSolicitudForm
from tests.support.trackers import domain, entity, opened_by, slot_event, tracker, user_event


async def form_turn(form, history, **slots):
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, tracker(history, slots=slots, active_loop=form.form_name()), domain())
    return [m.get("response") for m in dispatcher.messages], {e["name"]: e["value"] for e in events}


async def test_a_detailed_queja_only_needs_its_order_number(database_url):
    _, slots = await form_turn(
        ValidateQuejaForm(), [user_event("el repartidor nunca trajo mi paquete", "queja")]
    )
    assert slots["requested_slot"] == "numero_pedido"
    assert slots["demanda"]["text"] == "el repartidor nunca trajo mi paquete"


async def test_a_queja_with_its_order_number_in_the_first_message_asks_nothing(database_url):
    opening = user_event(
        "el paquete PED-1234567 llegó abierto", "queja", entities=[entity("numero_pedido", "PED-1234567")]
    )
    _, slots = await form_turn(ValidateQuejaForm(), [opening, slot_event("numero_pedido", "PED-1234567")])
    assert slots["requested_slot"] is None and slots["numero_pedido"] == "PED-1234567"


async def test_a_vague_queja_asks_what_happened_first(database_url):
    _, slots = await form_turn(ValidateQuejaForm(), [user_event("quiero poner una queja", "queja")])
    assert slots["requested_slot"] == "descripcion"


async def test_a_queja_about_staff_needs_no_order_number(database_url):
    history = [
        *opened_by("quiero poner una queja", "queja"),
        user_event("la dependienta fue muy grosera conmigo en caja", "queja"),
        slot_event("descripcion", "la dependienta fue muy grosera conmigo en caja"),
    ]
    _, slots = await form_turn(ValidateQuejaForm(), history, requested_slot="descripcion")
    assert slots["descripcion"] == "la dependienta fue muy grosera conmigo en caja"
    assert slots["requested_slot"] is None


async def test_no_order_number_at_hand_is_an_answer_in_a_queja(database_url):
    history = [
        *opened_by("nunca llegó mi pedido", "queja"),
        user_event("no lo tengo", "negar"),
        slot_event("numero_pedido", "no lo tengo"),
    ]
    _, slots = await form_turn(ValidateQuejaForm(), history, requested_slot="numero_pedido")
    assert slots["numero_pedido"] == "no_disponible" and slots["requested_slot"] is None


async def nonsense_turn(misses_so_far: int):
    history = [
        *opened_by("nunca llegó mi pedido", "queja"),
        user_event("patata", "nlu_fallback", 0.2),
        slot_event("numero_pedido", "patata"),
    ]
    return await form_turn(
        ValidateQuejaForm(), history, requested_slot="numero_pedido", intentos_fallidos=misses_so_far
    )


async def test_nonsense_is_re_asked_with_an_example_twice_then_the_form_gives_up(database_url):
    said, slots = await nonsense_turn(0)
    assert said == ["utter_invalido_numero_pedido"]
    assert slots["numero_pedido"] is None and slots["intentos_fallidos"] == 1
    assert slots["requested_slot"] == "numero_pedido"

    said, slots = await nonsense_turn(1)
    assert said == ["utter_invalido_numero_pedido"] and slots["requested_slot"] == "numero_pedido"

    said, slots = await nonsense_turn(2)
    assert said == []  # no third re-ask: the registration action offers a person instead
    assert slots["intentos_fallidos"] == 3 and slots["requested_slot"] is None


async def test_the_kind_of_solicitud_is_read_from_the_first_message(database_url):
    _, slots = await form_turn(
        ValidateSolicitudForm(), [user_event("quiero cancelar mi pedido", "solicitud")]
    )
    assert slots["tipo_solicitud"] == "cancelacion" and slots["requested_slot"] == "numero_pedido"


async def test_an_unspecific_solicitud_asks_its_kind_with_buttons(database_url):
    _, slots = await form_turn(
        ValidateSolicitudForm(), [user_event("necesito hacer un tramite", "solicitud")]
    )
    assert slots["requested_slot"] == "tipo_solicitud"
    assert "utter_ask_tipo_solicitud" in domain()["responses"]


async def test_an_invoice_asks_order_and_email_and_checks_the_email(database_url):
    history = [
        *opened_by("necesito factura", "solicitud"),
        slot_event("tipo_solicitud", "factura"),
        slot_event("numero_pedido", "PED-7654321"),
        user_event("mi correo es ana arroba gmail", "nlu_fallback", 0.3),
        slot_event("email", "mi correo es ana arroba gmail"),
    ]
    said, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="email")
    assert said == ["utter_invalido_email"] and slots["requested_slot"] == "email"

    history[-2:] = [
        user_event("Ana.Lopez@Gmail.com", "nlu_fallback", 0.3),
        slot_event("email", "Ana.Lopez@Gmail.com"),
    ]
    said, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="email")
    assert said == [] and slots["email"] == "ana.lopez@gmail.com" and slots["requested_slot"] is None


async def test_a_technician_visit_needs_a_future_working_day(database_url, monkeypatch):
    # On a Wednesday «pasado mañana» is a Friday; on a real Friday it would be a Sunday, rightly refused.
    monkeypatch.setattr(store, "now", lambda: datetime(2026, 12, 2, 10, 0))
    history = [
        *opened_by("quiero que venga un tecnico", "solicitud"),
        slot_event("tipo_solicitud", "cita_tecnica"),
        user_event("ayer", "nlu_fallback", 0.3),
        slot_event("fecha", "ayer"),
    ]
    said, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="fecha")
    assert said == ["utter_invalido_fecha"] and slots["requested_slot"] == "fecha"

    history[-2:] = [user_event("pasado mañana", "nlu_fallback", 0.3), slot_event("fecha", "pasado mañana")]
    said, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="fecha")
    assert said == ["utter_fecha_entendida"]  # the day understood is said back: «Anoto la visita para el …»
    assert slots["fecha"] == "2026-12-04" and slots["requested_slot"] == "telefono"


async def test_a_visit_on_a_sunday_is_refused(database_url, monkeypatch):
    monkeypatch.setattr(store, "now", lambda: datetime(2026, 12, 4, 10, 0))  # a Friday
    history = [
        *opened_by("quiero que venga un tecnico", "solicitud"),
        slot_event("tipo_solicitud", "cita_tecnica"),
        user_event("pasado mañana", "nlu_fallback", 0.3),
        slot_event("fecha", "pasado mañana"),
    ]
    said, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="fecha")
    assert said == ["utter_invalido_fecha"] and slots["requested_slot"] == "fecha"


async def test_a_free_answer_to_the_kind_question_becomes_a_general_solicitud(database_url):
    history = [
        *opened_by("quiero pedir algo", "solicitud"),
        user_event("que me llamen por telefono para asesorarme con una compra", "solicitud"),
    ]
    _, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="tipo_solicitud")
    assert slots["tipo_solicitud"] == "general"
    assert slots["descripcion"] == "que me llamen por telefono para asesorarme con una compra"
    assert slots["requested_slot"] is None


async def test_asking_about_a_case_is_not_taken_as_the_kind_of_solicitud(database_url):
    history = [
        *opened_by("quiero pedir algo", "solicitud"),
        user_event("mis casos", "consultar_caso"),
    ]
    _, slots = await form_turn(ValidateSolicitudForm(), history, requested_slot="tipo_solicitud")
    assert "tipo_solicitud" not in slots and "descripcion" not in slots
    assert slots["requested_slot"] == "tipo_solicitud"  # unfilled: Rasa hands the message to the rules
