"""A case store with three weeks of realistic work, written through the store's own functions on
chosen times: what the console's tests (and its screenshot) look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.cases import (
    Demand,
    close_case,
    escalate_case,
    present_solution,
    register_case,
    resolve_case,
    transfer_case,
)
from bot.handoff.agents import register_agent
from bot.handoff.rules import (
    record_agent_message,
    record_customer_message,
    take_case,
)
from bot.policy import CasePolicy
from bot.store.models import Agent, Case, CaseType, Level
from bot.survey.store import COMMENT, RATING, RESOLVED, answer_survey, start_survey
from bot.timeline import add_message, agent_actor

H = timedelta(hours=1)
M = timedelta(minutes=1)
HOSTILE_TEXT = '<script>alert("hola")</script> ¿y mi pedido <b>12345</b>?'
AGENTS = [  # telegram id, name, team, level
    (501, "Laura Gómez", "logistica", Level.AGENT),
    (502, "Pedro Ruiz", "logistica", Level.AGENT),
    (503, "Ana Torres", "calidad", Level.AGENT),
    (504, "Marta Díaz", "logistica", Level.SUPERVISOR),
    (505, "Jorge Sanz", "pagos", Level.AGENT),
    (506, "Nuria Campos", "pedidos", Level.AGENT),
]


@dataclass(frozen=True)
class Survey:
    resolved: bool
    rating: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class Handled:
    """A case an agent takes, answers and perhaps resolves, in hours after it was registered."""

    agent: str
    taken: float
    answered: float | None = None
    resolved: float | None = None
    survey: Survey | None = None
    transfer_to: str | None = None  # a supervisor who takes it over after `answered`


class Seeder:
    def __init__(self, session: Session, policy: CasePolicy, now: datetime) -> None:
        self.session, self.policy, self.now = session, policy, now
        self.agents: dict[str, Agent] = {}
        self.chats = 0

    def add_agents(self) -> None:
        for telegram_id, name, team, level in AGENTS:
            self.agents[name.split()[0]] = register_agent(
                self.session, telegram_id, name, team, level, self.policy
            )[0]

    def case(self, kind: CaseType, topic: str, text: str, customer: str, days_ago: float) -> Case:
        self.chats += 1
        registered = self.now - timedelta(days=days_ago)
        demand = Demand(
            f"{9000 + self.chats}",
            "telegram",
            kind,
            topic,
            text,
            intent=kind.value,
            confidence=0.91,
            captured_at=registered - 20 * timedelta(seconds=1),
            customer_name=customer,
        )
        return register_case(self.session, demand, self.policy, now=registered)

    def bot_answers(self, case: Case, survey: Survey | None, after: timedelta = 1 * M) -> None:
        at = case.created_at + after
        present_solution(self.session, case, f"faq:{case.topic}", at)
        add_message(self.session, case, "bot", "Aquí tienes la respuesta a tu consulta.", at=at)
        close_case(self.session, case, "Respondida por el asistente.", now=at + 2 * M)
        self.survey(case, survey, at + 3 * M)

    def handled(self, case: Case, plan: Handled) -> None:
        start, agent = case.created_at, self.agents[plan.agent]
        take_case(self.session, case.number, agent, now=start + plan.taken * H)
        if plan.answered is not None:
            reply = f"Hola, soy {agent.name.split()[0]}. Ya estoy revisando tu caso {case.number}."
            record_agent_message(
                self.session, case, agent, reply, (-100, self.chats * 100), start + plan.answered * H
            )
            record_customer_message(
                self.session, case, "Gracias, quedo atento.", None, start + (plan.answered + 0.2) * H
            )
        if plan.transfer_to is not None:
            at = start + (plan.answered or plan.taken) * H + 30 * M
            transfer_case(self.session, case, agent_actor(agent), level=Level.SUPERVISOR, now=at)
            agent = self.agents[plan.transfer_to]
            take_case(self.session, case.number, agent, now=at + 20 * M)
        if plan.resolved is not None:
            at = start + plan.resolved * H
            resolve_case(
                self.session, case, "Reenviamos el pedido con entrega urgente.", agent_actor(agent), now=at
            )
            self.survey(case, plan.survey, at + 5 * M)

    def survey(self, case: Case, survey: Survey | None, at: datetime) -> None:
        if start_survey(self.session, case, now=at) is None or survey is None:
            return
        chat = case.customer.chat_id
        answer_survey(self.session, chat, case.number, RESOLVED, survey.resolved, now=at + 10 * M)
        if survey.resolved and survey.rating is not None:
            answer_survey(self.session, chat, case.number, RATING, survey.rating, now=at + 11 * M)
            answer_survey(self.session, chat, case.number, COMMENT, survey.comment, now=at + 12 * M)


def seed_console_cases(session_factory: sessionmaker, policy: CasePolicy, now: datetime) -> None:
    """About thirty cases over the three weeks before `now` (naive UTC)."""
    with session_factory.begin() as session:
        seed = Seeder(session, policy, now)
        seed.add_agents()
        duda, queja, solicitud = CaseType.DUDA, CaseType.QUEJA, CaseType.SOLICITUD
        for days_ago, topic, rating in [
            (20, "envios", 5), (18, "pagos", 4), (16, "horarios", 5), (13, "devoluciones", 3),
            (11, "envios", 5), (9, "tiendas", 4), (6, "pagos", 5), (4, "envios", None), (2, "horarios", 5),
            (1, "garantia", 2),
        ]:  # fmt: skip
            case = seed.case(duda, topic, f"Tengo una duda sobre {topic}", "Lucía Fernández", days_ago)
            seed.bot_answers(case, Survey(True, rating, "Rápido y claro") if rating else None)
        for days_ago, topic, customer, plan in [
            (19, "envio", "Carlos Martín", Handled("Laura", 0.5, 1, 20, Survey(True, 5, "Muy amable"))),
            (17, "envio", "Sofía López", Handled("Pedro", 2, 3, 60, Survey(True, 3))),
            (15, "producto", "Javier Moreno", Handled("Ana", 1, 1.5, 30, Survey(True, 4, "Bien"))),
            (12, "envio", "Elena Ruiz", Handled("Laura", 0.2, 0.5, 8, Survey(True, 5))),
            (10, "producto", "Miguel Castro", Handled("Ana", 5, 6, 90, Survey(False))),
            (8, "envio", "Paula Navarro", Handled("Pedro", 1, 6, None, transfer_to="Marta")),
            (7, "cobro", "Diego Romero", Handled("Jorge", 0.3, 0.8, 12, Survey(True, 4))),
            (5, "envio", "Carmen Gil", Handled("Laura", 1, 2, 10, Survey(True, 4, "Todo correcto"))),
            (3, "envio", "Raúl Ortega", Handled("Pedro", 0.5, 1, None)),
            (1.5, "producto", "Irene Vázquez", Handled("Ana", 0.4, None)),
        ]:  # fmt: skip
            case = seed.case(queja, topic, f"Mi pedido tiene un problema ({topic})", customer, days_ago)
            seed.handled(case, plan)
        hostile = seed.case(queja, "envio", HOSTILE_TEXT, "Nadie <i>Importante</i>", 6)
        escalate_case(session, hostile, reason="policy", now=hostile.created_at)
        for days_ago, topic, customer, plan in [
            (14, "cancelacion", "Andrés Molina", Handled("Nuria", 3, 4, 6, Survey(True, 5))),
            (9, "cancelacion", "Beatriz Serrano", Handled("Nuria", 1, 2, 26, Survey(True, 4))),
            (0.5, "cancelacion", "Hugo Delgado", None),
        ]:  # fmt: skip
            case = seed.case(solicitud, topic, "Quiero cancelar mi pedido", customer, days_ago)
            if plan is not None:
                seed.handled(case, plan)
