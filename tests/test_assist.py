"""Agent assist's pieces: which suggestions are chosen, the FAQ's from the NLU's parse, the similar
cases' from the encoder's vectors (masked), and what the store keeps of their use — on a real
SQLite and PostgreSQL store."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from bot.assist import events, kinds
from bot.assist.faq import faq_suggestions
from bot.assist.similar_cases import rated_resolutions, similar_suggestions
from bot.assist.suggestions import FAQ, SIMILAR_CASE, Suggestion, chosen
from bot.store.models import Agent, Case, Customer, Survey, Team, utcnow

NOW = utcnow()


def faq(key: str, score: float, text: str | None = None) -> Suggestion:
    return Suggestion(FAQ, key, text or f"respuesta {key}", score)


def test_the_three_best_are_chosen_without_the_dropped_and_without_a_text_twice():
    candidates = [
        faq("duda/envios", 0.9),
        faq("duda/pagos", 0.8),
        faq("duda/devoluciones", 0.7, text="respuesta duda/envios"),  # the same text as the first
        Suggestion(SIMILAR_CASE, "Q-2026-000001", "lo resolvimos así", 0.75),
        faq("duda/horarios", 0.6),
        faq("duda/garantia", 0.95),
    ]
    best = chosen(candidates, dropped={(FAQ, "duda/garantia")})
    assert [s.key for s in best] == ["duda/envios", "duda/pagos", "Q-2026-000001"]


def parse(*ranking: tuple[str, float]) -> dict:
    return {
        "response_selector": {
            "duda": {"ranking": [{"intent_response_key": key, "confidence": c} for key, c in ranking]}
        }
    }


def test_faq_answers_come_from_the_domain_at_their_best_confidence_over_the_messages():
    responses = {
        "utter_duda/envios": [{"text": "Envío estándar: 2–4 días."}],
        "utter_duda/pagos": [{"text": "Aceptamos tarjeta y Bizum."}],
    }
    parses = [
        parse(("duda/envios", 0.4), ("duda/pagos", 0.1)),
        parse(("duda/envios", 0.7), ("duda/nada", 0.9)),
    ]
    found = faq_suggestions(parses, responses)
    assert found == [Suggestion(FAQ, "duda/envios", "Envío estándar: 2–4 días.", 0.7)]  # pagos too unsure
    assert faq_suggestions([{"intent": {"name": "queja"}}], responses) == []


def fake_encoder(vectors: dict[str, list[float]]):
    return lambda texts: np.array([vectors[text] for text in texts], dtype=np.float32)


def test_similar_cases_are_ranked_by_the_encoder_and_their_resolutions_masked():
    solved = [
        (
            "Q-2026-000010",
            "llegó mojado",
            "Hola Lucía Fernández, te mandamos otro sin coste; caso Q-2026-000010.",
        ),
        ("Q-2026-000011", "no llegó nunca", "Reenviado con seguimiento; escríbenos a lucia@example.com."),
        ("Q-2026-000012", "me cobraron dos veces", "Reembolsado."),
    ]
    encode = fake_encoder(
        {
            "el paquete llegó empapado": [1, 0, 0],
            "llegó mojado": [0.95, 0.3, 0],
            "no llegó nunca": [0.7, 0.7, 0],
            "me cobraron dos veces": [0, 0, 1],
        }
    )
    found = similar_suggestions("el paquete llegó empapado", solved, encode)
    assert [s.key for s in found] == ["Q-2026-000010", "Q-2026-000011"]
    first, second = (s.text for s in found)
    assert "Lucía" not in first and "Fernández" not in first and "Q-2026-000010" not in first
    assert "te mandamos otro sin coste" in first and "[caso]" in first
    assert "lucia@example.com" not in second and "[email]" in second
    assert similar_suggestions("", solved, encode) == []


@pytest.fixture
def handed_over(session_factory):
    """A complaint Laura has; and two closed ones of other customers, one rated well."""
    with session_factory.begin() as session:
        team = session.execute(select(Team).where(Team.name == "logistica")).scalar_one_or_none()
        if team is None:
            team = Team(name="logistica")
            session.add(team)
            session.flush()
        laura = Agent(telegram_user_id=31001, name="Laura Gómez", team_id=team.id, level=2, active=True)
        pedro = Agent(telegram_user_id=31002, name="Pedro Ruiz", team_id=team.id, level=2, active=True)
        ana, eva = Customer(chat_id="1", channel="telegram"), Customer(chat_id="2", channel="telegram")
        open_case = Case(
            number="Q-2026-000100", type="queja", topic="envio", channel="telegram", customer=ana,
            status="escalado", assigned_agent=laura, team_id=team.id,
        )  # fmt: skip
        session.add_all([laura, pedro, open_case])
        for number, rating in (("Q-2026-000101", 5), ("Q-2026-000102", 2)):
            closed = Case(
                number=number, type="queja", topic="envio", channel="telegram", customer=eva,
                status="cerrado", description="llegó roto", resolution=f"resuelto en {number}",
                closed_at=NOW - timedelta(days=1),
            )  # fmt: skip
            session.add(closed)
            session.flush()
            session.add(Survey(case_id=closed.id, resolved=True, csat=rating, status="completada"))
        session.flush()
        return open_case.id, laura.id, pedro.id, ana.id


def test_only_well_rated_closed_cases_of_other_customers_are_offered(session_factory, handed_over):
    _case_id, _laura, _pedro, ana = handed_over
    with session_factory() as session:
        assert [n for n, _, _ in rated_resolutions(session, "queja", ana)] == ["Q-2026-000101"]
        assert rated_resolutions(session, "solicitud", ana) == []


def test_a_suggestion_is_its_owner_s_until_used_or_the_case_changes_hands(session_factory, handed_over):
    case_id, laura_id, pedro_id, _ana = handed_over
    with session_factory.begin() as session:
        case, laura = session.get(Case, case_id), session.get(Agent, laura_id)
        shown = events.record_shown(session, case, laura, faq("duda/envios", 0.9), NOW)
    with session_factory.begin() as session:
        laura, pedro = session.get(Agent, laura_id), session.get(Agent, pedro_id)
        assert events.usable(session, shown, pedro).refusal == "suggestion_not_yours"
        assert events.usable(session, shown, laura).text == "respuesta duda/envios"
        assert events.usable(session, shown + 1000, laura).refusal == "suggestion_expired"
        events.record_use(session, session.get(Case, case_id), laura, shown, kinds.SENT, NOW)
    with session_factory.begin() as session:
        assert events.usable(session, shown, session.get(Agent, laura_id)).refusal == "suggestion_used"
        session.get(Case, case_id).assigned_agent_id = pedro_id  # as bot.cases does on a transfer
    with session_factory() as session:
        assert events.usable(session, shown, session.get(Agent, pedro_id)).refusal == "suggestion_expired"


def test_her_own_message_edits_the_closest_suggestion_and_ignores_the_rest(session_factory, handed_over):
    case_id, laura_id, _pedro, _ana = handed_over
    texts = ("Te lo reenviamos hoy mismo sin coste.", "Aceptamos tarjeta y Bizum.")
    with session_factory.begin() as session:
        case, laura = session.get(Case, case_id), session.get(Agent, laura_id)
        for n, text in enumerate(texts):
            events.record_shown(session, case, laura, faq(f"duda/{n}", 0.5, text), NOW)
    with session_factory.begin() as session:
        case, laura = session.get(Case, case_id), session.get(Agent, laura_id)
        events.agent_wrote(session, case, laura, "Ana, te lo reenviamos hoy mismo sin coste. Un saludo", NOW)
    with session_factory() as session:
        settled = events.settled(session, session.get(Case, case_id))
        assert sorted(settled.values()) == [kinds.EDITED, kinds.IGNORED]


def test_a_suggestion_shown_five_times_and_never_used_drops_out(session_factory, handed_over):
    case_id, laura_id, _pedro, _ana = handed_over
    with session_factory.begin() as session:
        case, laura = session.get(Case, case_id), session.get(Agent, laura_id)
        for _ in range(events.DROP_AFTER_SHOWN):
            events.record_shown(session, case, laura, faq("duda/horarios", 0.5), NOW)
        used = events.record_shown(session, case, laura, faq("duda/envios", 0.5), NOW)
        for _ in range(events.DROP_AFTER_SHOWN):
            events.record_shown(session, case, laura, faq("duda/envios", 0.5), NOW)
        events.record_use(session, case, laura, used, kinds.SENT, NOW)
    with session_factory() as session:
        assert events.dropped(session) == {(FAQ, "duda/horarios")}
