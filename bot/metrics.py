"""Prometheus metrics (the text format of `prometheus-client`), for an operator's dashboards.

Two kinds: what a process does, counted as it happens (turns and their latency per channel, the
Telegram webhook's answers), exposed by each Rasa server at /webhooks/telegram/metrics; and what the
store holds, read at scrape time (`StoreCollector`: open cases, registrations, escalations, SLA
alerts, survey answers, inbox and outbox depth and age), exposed by the console at /metrics. No label
or value carries a customer's words or ids.

A Rasa server of several processes (SANIC_WORKERS) counts in prometheus-client's multiprocess mode
(bot/ops/rasa_server.py sets its directory): whichever process answers a scrape reports all of them,
and its gauges report the value set most recently by any.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sanic import response
from sanic.response import HTTPResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import OPEN_STATUSES, Case, CaseEvent, InboxState, InboxUpdate, Notification, utcnow

TURNS = Counter("atencion_turns", "Customer messages the assistant answered, by channel", ["channel"])
TURN_SECONDS = Histogram(
    "atencion_turn_seconds",
    "From a customer's message to the assistant's last reply, by channel",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
TELEGRAM_API_ERRORS = Counter(
    "atencion_telegram_api_errors",
    "Telegram Bot API calls that failed: rate_limited (429), network, refused (403/400)",
    ["kind"],
)
MODEL = Gauge(
    "atencion_model_info",
    "The model this Rasa server answers with (1; 0 for one it answered with before)",
    ["model_id", "name"],
    multiprocess_mode="mostrecent",
)
HELD_OUT_MACRO_F1 = Gauge(
    "atencion_model_heldout_macro_f1",
    "Macro-F1 (duda, queja, solicitud) of the model in use on each held-out set, measured after training",
    ["set"],
    multiprocess_mode="mostrecent",
)
WEBHOOK_ANSWERS = Counter(
    "atencion_telegram_webhook_responses", "The Telegram webhook's answers, by HTTP status", ["status"]
)
# The action servers'.
ACTION_CALLS = Counter(
    "atencion_action_calls",
    "Custom action calls an action server answered, by action and HTTP status",
    ["action", "status"],
)
ACTION_SECONDS = Histogram(
    "atencion_action_seconds",
    "How long an action server took to answer a custom action call, by action",
    ["action"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
# The worker's.
DELIVERIES = Counter(
    "atencion_outbox_deliveries",
    "Notifications the worker settled, by kind (case_card, sla_alert…) and status (sent, skipped, "
    "retry, failed)",
    ["kind", "status"],
)
DELIVERY_DELAY_SECONDS = Histogram(
    "atencion_outbox_delivery_delay_seconds",
    "From when a notification was due to when the worker settled it, by kind",
    ["kind"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900),
)
SLA_ALERTS_CLAIMED = Counter(
    "atencion_sla_alerts_claimed", "Deadline alerts the worker found due and queued, by level", ["level"]
)
COUNTED_EVENTS = {  # case event kind → metric name
    "escalated": "atencion_escalations",
    "sla_warning": "atencion_sla_warnings",
    "sla_overdue": "atencion_sla_breaches",
    "survey_answered": "atencion_survey_answers",
}
PENDING_INBOX = (InboxState.RECEIVED.value, InboxState.PROCESSING.value)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def timed_turns(on_new_message: Handler, channel: str) -> Handler:
    """`on_new_message` (Rasa's handler of a channel's message), counted and timed."""

    async def handle(*args: Any, **kwargs: Any) -> Any:
        with TURN_SECONDS.labels(channel).time():
            result = await on_new_message(*args, **kwargs)
        TURNS.labels(channel).inc()
        return result

    return handle  # type: ignore[return-value]


def count_action(action: str, status: int, seconds: float) -> None:
    ACTION_CALLS.labels(action, str(status)).inc()
    ACTION_SECONDS.labels(action).observe(seconds)


_shown: dict[str, set[tuple[str, ...]]] = {"model": set(), "sets": set()}  # what this process set


def model_in_use(agent: Any, held_out: dict[str, float]) -> None:
    """`atencion_model_info`: the id and file name of the model a Rasa agent answers with; and
    its held-out scores, when they were measured for that model. What no longer holds is set to 0
    (the model) or NaN (a score): with several processes, a label removed here would still be
    reported from the multiprocess files."""
    model_id, name = (agent.model_id, agent.model_name) if agent is not None else (None, None)
    current = (str(model_id or ""), str(name or ""))
    for before in _shown["model"] - {current}:
        MODEL.labels(*before).set(0)
    MODEL.labels(*current).set(1)
    _shown["model"].add(current)
    for (held_out_set,) in _shown["sets"] - {(name,) for name in held_out}:
        HELD_OUT_MACRO_F1.labels(held_out_set).set(float("nan"))
    for held_out_set, macro_f1 in held_out.items():
        HELD_OUT_MACRO_F1.labels(held_out_set).set(macro_f1)
        _shown["sets"].add((held_out_set,))


def process_registry() -> CollectorRegistry:
    """This process's metrics; with several processes counting into one directory, all of theirs."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


async def exposition(registry: CollectorRegistry | None = None) -> HTTPResponse:
    """The metrics of `registry` (default: this process's) in Prometheus' text format, collected off
    the event loop: the store's figures are a database read."""
    body = await asyncio.to_thread(generate_latest, registry or process_registry())
    return response.raw(body, content_type=CONTENT_TYPE_LATEST)


class StoreCollector(Collector):
    """What the case store holds, counted when Prometheus asks (one short read per scrape)."""

    def __init__(self, session_factory: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        with self.session_factory() as session:
            yield from self._cases(session)
            yield from self._events(session)
            yield from self._queues(session)

    def _cases(self, session: Session) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        opened = GaugeMetricFamily(
            "atencion_cases_open", "Open cases, by type and status", labels=["type", "status"]
        )
        for kind, status, count in session.execute(
            select(Case.type, Case.status, func.count())
            .where(Case.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(Case.type, Case.status)
        ):
            opened.add_metric([kind, status], count)
        yield opened
        registered = CounterMetricFamily(
            "atencion_cases_registered", "Cases registered, by type", labels=["type"]
        )
        for kind, count in session.execute(select(Case.type, func.count()).group_by(Case.type)):
            registered.add_metric([kind], count)
        yield registered

    def _events(self, session: Session) -> Iterator[CounterMetricFamily]:
        counts = dict(
            session.execute(
                select(CaseEvent.kind, func.count())
                .where(CaseEvent.kind.in_(list(COUNTED_EVENTS)))
                .group_by(CaseEvent.kind)
            ).all()
        )
        for kind, name in COUNTED_EVENTS.items():
            yield CounterMetricFamily(name, f"Case events «{kind}» in the store", value=counts.get(kind, 0))

    def _queues(self, session: Session) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        inbox_count, inbox_oldest = session.execute(
            select(func.count(), func.min(InboxUpdate.received_at)).where(
                InboxUpdate.state.in_(PENDING_INBOX)
            )
        ).one()
        outbox_count, outbox_oldest = session.execute(
            select(func.count(), func.min(Notification.not_before)).where(
                Notification.status == "pending", Notification.not_before <= now
            )
        ).one()
        for name, what, count, oldest in (
            ("inbox", "Telegram updates accepted and not yet processed", inbox_count, inbox_oldest),
            ("outbox", "Notifications due and not yet delivered", outbox_count, outbox_oldest),
        ):
            yield GaugeMetricFamily(f"atencion_{name}_pending", what, value=count)
            age = (now - oldest).total_seconds() if oldest is not None else 0.0
            yield GaugeMetricFamily(f"atencion_{name}_oldest_seconds", "Age of the oldest of them", value=age)


def store_registry(session_factory: sessionmaker) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(StoreCollector(session_factory))
    return registry
