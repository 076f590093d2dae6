"""Typed answers to the satisfaction survey: unambiguous or nothing."""

import pytest

from bot.survey.answers import parse_rating, parse_resolved


@pytest.mark.parametrize(
    "text,rating",
    [
        ("5", 5),
        ("4/5", 4),
        ("un 4", 4),
        ("le doy un 3", 3),
        ("5 estrellas", 5),
        ("⭐⭐⭐⭐", 4),
        ("★★", 2),
        ("4 de 5", 4),
        ("nota 2", 2),
        ("cinco", 5),
        ("cuatro", 4),
        ("tres", 3),
        ("dos", 2),
        ("uno", 1),
        ("una", 1),
        ("un cinco", 5),
        ("5, 5 estrellas", 5),
        ("  CINCO!!! ", 5),
        ("Cínco", 5),
        ("trés", 3),
        ("sinco", 5),
        ("cincoooo", 5),
        ("quatro", 4),
        ("una estrella", 1),
        ("cuatro de cinco", 4),
        ("5/5", 5),
        ("4 sobre 5", 4),
        ("4⭐", 4),
        ("⭐️⭐️⭐️", 3),
        ("★★★☆☆", 3),
        ("⭐⭐⭐⭐⭐ 5/5", 5),
        ("5️⃣", 5),
        ("Un 5, muy amables 😊", 5),
    ],
)
def test_ratings_said_plainly(text, rating):
    assert parse_rating(text) == rating


@pytest.mark.parametrize(
    "text",
    [
        "muy bien",
        "bien",
        "mal",
        "excelente",
        "3 o 4",
        "entre 3 y 4",
        "10",
        "0",
        "5 pero tardaron 2 días",
        "+34 612 345 678",
        "PED-1234567",
        "",
        "   ",
        "⭐⭐⭐⭐⭐⭐",
        "4,5",
        "casi un 5",
        "más de 3",
        "no le doy ni un 1",
        "5 ⭐⭐⭐",
        "¿un 5?",
        "un servicio pésimo",
        "10/10",
        "👍",
        "un",
    ],
)
def test_ratings_that_are_not_clear_are_refused(text):
    assert parse_rating(text) is None


@pytest.mark.parametrize(
    "text,resolved",
    [
        ("sí", True),
        ("si", True),
        ("claro", True),
        ("sí, gracias", True),
        ("resuelto", True),
        ("sí se resolvió", True),
        ("ya está", True),
        ("perfecto", True),
        ("SÍÍÍ!!!", True),
        ("  Sí ,   todo   bien  ", True),
        ("claro que sí", True),
        ("ya me lo solucionaron", True),
        ("👍", True),
        ("ya funciona", True),
        ("no", False),
        ("para nada", False),
        ("no se resolvió", False),
        ("todavía no", False),
        ("sigue igual", False),
        ("no del todo", False),
        ("NOOOO", False),
        ("claro que no", False),
        ("nunca me lo arreglaron", False),
        ("no se ha resuelto nada", False),
        ("sigue sin funcionar 😡", False),
        ("👎", False),
        ("no funciona", False),
        ("sin solución", False),
    ],
)
def test_clear_yes_and_no(text, resolved):
    assert parse_resolved(text) is resolved


@pytest.mark.parametrize(
    "text",
    [
        "más o menos",
        "sí y no",
        "no sé",
        "¿qué?",
        "",
        "gracias",
        "a medias",
        "creo que sí",
        "¿resuelto?",
        "ya está, pero sigue fallando",
        "no sé, no lo han resuelto",
        "5",
    ],
)
def test_unclear_resolution_is_refused(text):
    assert parse_resolved(text) is None
