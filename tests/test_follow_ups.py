"""One case per problem, end to end over the REST channel (real model, action server and SQLite
store): what a customer says right after a case — asking when they will hear, adding a remark, a
restated thanks after an answer, the same question again, a goodbye in the kind menu — joins what is
already open or closes it, and registers nothing new, even when the assistant does not understand
it; a complaint that also asks for a person is a complaint, escalated, with its order number; what
happened, told when the order number was asked, is kept and the number asked again."""

from __future__ import annotations

import pytest

from tests.support.conversation_suite import with_dates
from tests.support.rest_assistant import new_customer, texts

pytestmark = pytest.mark.slow


def complaint(assistant, customer: str) -> str:
    assistant.say(customer, "quiero poner una queja")
    assistant.say(customer, "el repartidor dejó el paquete en la calle y llegó mojado")
    registered = texts(assistant.say(customer, "PED-4021937"))
    [case] = assistant.cases(customer)
    assert case.number in registered
    return case.number


def test_asking_when_they_will_hear_answers_from_the_open_case(assistant):
    customer = new_customer()
    number = complaint(assistant, customer)
    for asked in ("cuanto tardan en responder mas o menos?", "y me van a avisar por aqui?"):
        said = texts(assistant.say(customer, asked))
        assert number in said and ("como tarde" in said or "Fecha prevista" in said), asked
    assert len(assistant.cases(customer)) == 1


def test_a_remark_after_a_complaint_joins_it(assistant):
    customer = new_customer()
    number = complaint(assistant, customer)
    said = texts(assistant.say(customer, "y el paquete traia tambien unos pendientes de regalo"))
    assert f"Lo he añadido a tu caso {number}" in said
    [case] = assistant.cases(customer)
    assert "y el paquete traia tambien unos pendientes de regalo" in assistant.customer_said(case.id)


def test_a_restated_thanks_after_an_answer_closes_the_duda(assistant):
    customer = new_customer()
    assistant.say(customer, "como puedo pagar desde fuera de españa?")
    said = texts(assistant.say(customer, "ah ok, entonces con tarjeta o paypal nada mas. gracias"))
    assert "Puedes pagar con" not in said  # not answered again
    [case] = assistant.cases(customer)
    assert case.status == "cerrado"


def test_the_same_question_again_is_the_same_case(assistant):
    customer = new_customer()
    assistant.say(customer, "cuanto tarda un envio a valencia?")
    again = texts(assistant.say(customer, "perdona, cuanto tarda el envio a valencia?"))
    assert "Envío estándar" in again
    assert len(assistant.cases(customer)) == 1


def test_a_complaint_that_asks_for_a_person_is_an_escalated_complaint_with_its_order(assistant):
    customer = new_customer()
    said = texts(
        assistant.say(
            customer, "mi pedido PED-7720914 no llega hace un mes y quiero hablar con una persona ya"
        )
    )
    [case] = assistant.cases(customer)
    assert (case.type, case.status) == ("queja", "escalado")
    assert case.details.get("numero_pedido") == "PED-7720914" and "PED-7720914" in said


@pytest.mark.parametrize("leaving", ["gracias, buenas noches", "chao, hasta luego"])
def test_thanks_or_goodbye_in_the_kind_menu_registers_nothing(assistant, leaving):
    customer = new_customer()
    menu = texts(assistant.say(customer, "quiero hacer una solicitud"))
    assert "¿Qué necesitas que hagamos?" in menu
    assistant.say(customer, leaving)
    assert assistant.cases(customer) == []


def test_an_order_number_given_after_a_vague_complaint_is_kept_on_the_case(assistant):
    customer = new_customer()
    assistant.say(customer, "tengo una queja")
    assistant.say(customer, "hice un pedido hace tres semanas y todavia no me llega nada")
    said = texts(assistant.say(customer, "PED-5520387"))
    [case] = assistant.cases(customer)
    assert case.details.get("numero_pedido") == "PED-5520387" and "PED-5520387" in said


def test_a_data_change_given_in_two_messages_is_one_request(assistant):
    customer = new_customer()
    assistant.say(customer, "necesito cambiar mi correo y mi telefono de la cuenta, el viejo ya no lo uso")
    assistant.say(customer, "mariangel.rdz@gmail.com")
    told = "el telefono nuevo es +58 414 5550123 y el correo viejo era mariangel_88@hotmail.com"
    said = texts(assistant.say(customer, told))
    [case] = assistant.cases(customer)
    assert case.number in said and not case.details.get("numero_pedido")


def test_asking_what_the_assistant_is_gets_an_answer_and_no_case(assistant):
    customer = new_customer()
    said = texts(assistant.say(customer, "eres un robot o una persona? jaja"))
    assert "Soy el asistente virtual" in said and assistant.cases(customer) == []
    said = texts(assistant.say(customer, "pues pasame con una persona"))
    [case] = assistant.cases(customer)
    assert case.status == "escalado" and case.number in said


def booked_visit(assistant, customer: str) -> str:
    assistant.say(customer, "quiero que venga un tecnico a instalar el lavavajillas")
    assistant.say(customer, "el lunes que viene")
    assistant.say(customer, "612 483 907")
    said = texts(assistant.say(customer, "Calle Alcalá 214, 4º izquierda, 28028 Madrid"))
    [case] = assistant.cases(customer)
    assert case.number in said and case.topic == "cita_tecnica"
    return case.number


def test_words_not_understood_after_a_case_join_it_and_open_nothing(assistant):
    customer = new_customer()
    number = complaint(assistant, customer)
    for said_next in ("uso android por si acaso, un samsung a52", "zzz"):  # twice in a row
        said = texts(assistant.say(customer, said_next))
        assert number in said and "¿Me dices si es una duda" not in said, said_next
    [case] = assistant.cases(customer)
    assert "uso android por si acaso, un samsung a52" in assistant.customer_said(case.id)


def test_thanks_with_letters_repeated_is_thanks(assistant):
    customer = new_customer()
    complaint(assistant, customer)
    said = texts(assistant.say(customer, "graciass"))
    assert "De nada" in said and len(assistant.cases(customer)) == 1


def test_asking_how_long_that_takes_answers_from_the_request(assistant):
    customer = new_customer()
    assistant.say(customer, "quiero dar de baja mi cuenta")
    assistant.say(customer, "jose.m.rangel@gmail.com")
    said = texts(assistant.say(customer, "listo, y cuanto tarda eso?"))
    [case] = assistant.cases(customer)
    assert case.number in said and "Envío estándar" not in said


def test_a_question_about_a_booked_visit_joins_it_and_asks_no_date_again(assistant):
    customer = new_customer()
    number = booked_visit(assistant, customer)
    said = texts(assistant.say(customer, "¿me llamarán antes de venir?"))
    assert number in said and "¿Qué día te viene bien" not in said and "Anoto la visita" not in said
    [case] = assistant.cases(customer)
    assert "¿me llamarán antes de venir?" in assistant.customer_said(case.id)


def test_what_happened_told_instead_of_the_order_number_is_kept_and_the_number_asked_again(assistant):
    customer = new_customer()
    assistant.say(customer, "me cobraron dos veces la misma compra!!!")
    said = texts(assistant.say(customer, "en el resumen de la tarjeta me aparecen dos cargos de 45 euros"))
    assert "lo anoto" in said and "no me cuadra" not in said and "número de pedido" in said
    registered = texts(assistant.say(customer, "el pedido es PED-7730164"))
    [case] = assistant.cases(customer)
    assert case.number in registered and case.details.get("numero_pedido") == "PED-7730164"
    assert "dos cargos de 45 euros" in case.description


def test_taking_back_a_request_just_registered_withdraws_it(assistant):
    customer = new_customer()
    assistant.say(customer, "hola, quiero devolver un poleron que compre")
    registered = texts(assistant.say(customer, "PED-2058841"))
    [case] = assistant.cases(customer)
    assert case.number in registered
    said = texts(assistant.say(customer, "mmm mejor no, dejalo asi, me lo voy a quedar"))
    assert "he retirado" in said and case.number in said
    [case] = assistant.cases(customer)
    assert (case.status, case.resolution) == ("cerrado", "retirado por el cliente")
    said = texts(assistant.say(customer, "no"))  # a plain no afterwards withdraws nothing more
    assert "retirado" not in said


def test_an_order_number_sent_alone_after_a_complaint_goes_on_it(assistant):
    customer = new_customer()
    assistant.say(customer, "pedi una campera negra y me mandaron una verde, una verguenza")
    said = texts(assistant.say(customer, "PED-9031176"))
    assert "¿Me cuentas qué pasó?" not in said and "PED-9031176" in said
    [case] = assistant.cases(customer)
    assert case.details.get("numero_pedido") == "PED-9031176"


def test_a_request_changed_halfway_keeps_what_was_given_and_asks_the_rest(assistant):
    customer = new_customer()
    assistant.say(customer, "quiero cancelar el pedido que hice ayer de unas sabanas")
    said = texts(
        assistant.say(
            customer, "no espera, no lo quiero cancelar, lo que quiero es cambiar la direccion de envio"
        )
    )
    assert "no me cuadra" not in said and "cambio tu solicitud a «cambio de dirección" in said
    assistant.say(customer, "PED-1209934")
    said = texts(assistant.say(customer, "Avenida Francisco de Miranda 44, piso 4, Caracas"))
    [case] = assistant.cases(customer)
    assert case.topic == "cambio_direccion" and case.number in said


def test_a_visit_date_after_an_apology_is_understood(assistant):
    customer = new_customer()
    assistant.say(customer, "quiero que me vengan a instalar una lampara de techo")
    said = texts(assistant.say(customer, with_dates("Ay perdon, me equivoque de año. Mejor el {fecha}")))
    assert "Anoto la visita" in said


def test_a_question_instead_of_the_email_leaves_the_form_and_is_answered(assistant):
    customer = new_customer()
    assistant.say(customer, "necesito la factura de un pedido")
    assistant.say(customer, "PED-7743015")
    said = texts(assistant.say(customer, "ah por cierto, los puntos del club caducan?"))
    assert "no parece válido" not in said and "¿Resolví tu duda?" in said
    assert [c.type for c in assistant.cases(customer)] == ["duda"]


def test_not_sure_yet_waits_and_thanks_later_closes_the_duda(assistant):
    customer = new_customer()
    assistant.say(
        customer, "puse mal la contraseña varias veces y ahora no me deja entrar a mi cuenta, que hago?"
    )
    said = texts(assistant.say(customer, "no sé, déjeme probar"))
    assert "pruébalo" in said and "He pasado tu caso" not in said
    [case] = assistant.cases(customer)
    assert case.status == "en_proceso"
    assistant.say(customer, "ya pude entrar, gracias")
    [case] = assistant.cases(customer)
    assert case.status == "cerrado"


def test_another_question_instead_of_an_answer_stays_in_the_same_duda(assistant):
    customer = new_customer()
    assistant.say(customer, "cuantos dias tengo para devolver una campera que compre online?")
    said = texts(assistant.say(customer, "depende, ¿la puedo llevar a una tienda o la tengo que mandar?"))
    assert "¿Resolví tu duda?" in said
    [case] = assistant.cases(customer)
    assert "depende, ¿la puedo llevar a una tienda o la tengo que mandar?" in assistant.customer_said(case.id)
