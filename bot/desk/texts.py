"""What the handoff says, in Spanish (`handoff` in labels_es.yml): to agents as Telegram HTML
with every variable escaped, to customers as plain text."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from telegram import Message

from bot.labels import label, team_label, topic_label
from bot.store.models import Agent, Case


def for_agents(key: str, **variables: Any) -> str:
    """A `handoff` text for the agents' group (HTML), its variables escaped."""
    escaped = {name: html.escape(str(value)) for name, value in variables.items()}
    return label("handoff", key).format(**escaped)


def for_customer(key: str, **variables: Any) -> str:
    return label("handoff", "to_customer")[key].format(**variables)


def status_label(case: Case) -> str:
    return label("status", case.status)


def media_label(message: Message) -> str:
    """How a non-text message is written in the transcript."""
    kinds = [
        ("photo", "foto"), ("document", "documento"), ("voice", "nota de voz"), ("audio", "audio"),
        ("video", "vídeo"), ("video_note", "vídeo"), ("sticker", "sticker"), ("location", "ubicación"),
        ("contact", "contacto"), ("poll", "encuesta"), ("animation", "gif"),
    ]  # fmt: skip
    kind = next((name for attribute, name in kinds if getattr(message, attribute, None)), "mensaje")
    caption = f" {message.caption}" if message.caption else ""
    return f"[{kind}]{caption}"


def format_wait(waited: timedelta) -> str:
    minutes = int(waited.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} d {minutes // 60 % 24} h"


def mentions(agents: list[Agent]) -> str:
    if not agents:
        return label("handoff", "nobody_to_notify")
    names = ", ".join(
        f'<a href="tg://user?id={agent.telegram_user_id}">{html.escape(agent.name)}</a>' for agent in agents
    )
    return label("handoff", "notified").format(nombres=names)


def case_line(case: Case) -> str:
    return for_agents(
        "case_line",
        numero=case.number,
        tipo=label("case_type", case.type),
        tema=topic_label(case.type, case.topic),
        estado=status_label(case),
        cliente=case.customer.name or "—",
    )


def queue_line(case: Case, now: datetime) -> str:
    return for_agents(
        "queue_line",
        numero=case.number,
        tipo=label("case_type", case.type),
        tema=topic_label(case.type, case.topic),
        equipo=team_label(case.team.name) if case.team else "—",
        espera=format_wait(now - case.created_at),
    )
