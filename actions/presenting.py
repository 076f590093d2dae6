"""A case as the variables of its Spanish responses (domain.yml)."""

from __future__ import annotations

from bot.labels import format_datetime, label, team_label, topic_label
from bot.store.models import Case, CaseEvent


def case_variables(case: Case) -> dict[str, str]:
    return {
        "numero": case.number,
        "tipo": label("case_type", case.type),
        "tema": topic_label(case.type, case.topic),
        "estado": label("status", case.status),
        "equipo": team_label(case.team.name) if case.team else "atención al cliente",
        "fecha": format_datetime(case.sla_due_at) if case.sla_due_at else "por confirmar",
        "del_pedido": about_order(case),
    }


def about_order(case: Case) -> str:
    """« del pedido PED-1234567» when the case has one, said back so the customer can check it."""
    order = (case.details or {}).get("numero_pedido")
    return f" del pedido {order}" if order and order.startswith("PED-") else ""


def status_variables(case: Case, event: CaseEvent | None) -> dict[str, str]:
    variables = case_variables(case)
    if event is not None:
        variables["ultimo_evento"] = label("event", event.kind)
        variables["fecha_evento"] = format_datetime(event.created_at)
    else:
        variables["ultimo_evento"] = label("event", "registered")
        variables["fecha_evento"] = format_datetime(case.created_at)
    return variables


def case_list_line(case: Case) -> str:
    variables = case_variables(case)
    return f"• {variables['numero']}: {variables['tipo']} ({variables['tema']}), {variables['estado']}"
