"""`python -m bot review collect`: the customer messages worth an operator's look, from the
conversation logs and the agents' corrections, masked, merged and kept in `review_items`.

Collected: messages the classifier was unsure of (confidence below the threshold), those the
fallback took, a FAQ answer the customer said did not solve their doubt (the «No» after «¿Resolví
tu duda?»: the question that got the wrong answer), and the texts of cases whose type an agent
corrected with /tipo (the correction is the label). Confident mistakes show after the fact, so
these are collected too: a message that opened a complaint or request form the customer left at
once («no», «mejor lo dejo»), one whose request form got «Otra cosa» as its kind, and one the
customer said again in other words at once and was understood differently. Running it again adds
what is new: an item keeps its label and counts each source once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.privacy.masking import mask_personal_data
from bot.review.similar import Group, Sighting, merge_similar, normalized
from bot.review.tracker_log import UserTurn, read_user_turns
from bot.store.models import Case, CaseEvent, Customer, ReviewItem, ReviewStatus, utcnow
from bot.text import fold

LOW_CONFIDENCE, FALLBACK, NOT_RESOLVED, CORRECTED = "low_confidence", "fallback", "not_resolved", "corrected"
LEFT_FORM, OTHER_KIND, REPHRASED, WITHDRAWN = "left_form", "other_kind", "rephrased", "withdrawn"
FAQ_ANSWER, DENIED = "action_responder_duda", "negar"
CASE_FORMS = ("queja_form", "solicitud_form")
OTHER_KIND_PAYLOAD = '"tipo_solicitud": "general"'
REPHRASE_SIMILARITY = 70  # rapidfuzz token_set_ratio of the folded texts, 0–100
AGENT_CORRECTION = "corrección de agente"
NEEDS_TOPIC = "duda"  # a correction to duda needs its FAQ topic (duda/<tema>): the operator chooses


KEY_LENGTH = ReviewItem.key.type.length  # 500: PostgreSQL refuses a longer key, SQLite stored it


def item_key(text: str) -> str:
    """The normalized text, the key of its item; one longer than the column keeps its beginning
    and a digest of the whole: two long messages stay apart, the same one finds its item again."""
    key = normalized(text)
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_LENGTH - len(digest) - 1]}#{digest}"


def conversation_ref(sender_id: str) -> str:
    """An opaque name for a conversation: no chat id leaves the database."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:12]


def reasons_for(turn: UserTurn, threshold: float) -> frozenset[str]:
    reasons = set()
    if turn.fell_back:
        reasons.add(FALLBACK)
    elif turn.confidence is not None and turn.confidence < threshold:
        reasons.add(LOW_CONFIDENCE)
    if FAQ_ANSWER in turn.actions and turn.next_intent == DENIED:
        reasons.add(NOT_RESOLVED)
    opened_form = any(form in turn.actions for form in CASE_FORMS)
    if opened_form and turn.next_intent == DENIED:
        reasons.add(LEFT_FORM)
    if "solicitud_form" in turn.actions and OTHER_KIND_PAYLOAD in (turn.next_text or ""):
        reasons.add(OTHER_KIND)
    if said_again(turn):
        reasons.add(REPHRASED)
    return frozenset(reasons)


def said_again(turn: UserTurn) -> bool:
    """The customer's next message says the same in other words and was understood differently."""
    following = turn.next_text or ""
    if not following or following.startswith("/") or turn.next_intent in (None, turn.intent):
        return False
    first, second = fold(turn.text), fold(following)
    return first != second and fuzz.token_set_ratio(first, second) >= REPHRASE_SIMILARITY


@dataclass
class Sources:
    """Which conversation each source came from (kept in the store, never exported)."""

    senders: dict[str, str] = field(default_factory=dict)

    def add(self, source: str, sender_id: str) -> str:
        self.senders[source] = sender_id
        return source


def turn_sightings(turns: Iterable[UserTurn], threshold: float, sources: Sources) -> list[Sighting]:
    sightings = []
    for turn in turns:
        reasons = reasons_for(turn, threshold) if turn.typed else frozenset()
        if reasons:
            source = (
                f"conversacion:{conversation_ref(turn.sender_id)}:{turn.message_id or turn.at.isoformat()}"
            )
            sources.add(source, turn.sender_id)
            text = mask_personal_data(turn.text)
            sightings.append(Sighting(text, source, turn.intent, turn.confidence, reasons))
    return sightings


def correction_sightings(session: Session, sources: Sources) -> list[Sighting]:
    """`/tipo` corrections: the case's first message, labelled with the type the agent chose."""
    query = (
        select(CaseEvent.details, Case.number, Customer.chat_id)
        .join(Case, CaseEvent.case_id == Case.id)
        .join(Customer, Case.customer_id == Customer.id)
        .where(CaseEvent.kind == "type_corrected")
        .order_by(CaseEvent.id)
    )
    sightings = []
    for details, number, chat_id in session.execute(query):
        if not (details.get("text") or "").strip():
            continue
        case, label = f"caso:{number}", details.get("to")
        sightings.append(case_sighting(sources, case, chat_id, details["text"], details, CORRECTED, label))
    return sightings


def withdrawal_sightings(session: Session, sources: Sources) -> list[Sighting]:
    """Cases the customer took back right after they were registered («mejor no, déjalo»): often
    a message read as a queja or solicitud that was not one. Their first message, as classified."""
    classified = (
        select(CaseEvent.details)
        .where(CaseEvent.case_id == Case.id, CaseEvent.kind == "classified")
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Case.description, Case.number, Customer.chat_id, classified)
        .join(Customer, Case.customer_id == Customer.id)
        .where(Case.events.any(CaseEvent.kind == "withdrawn"))
        .order_by(Case.id)
    )
    sightings = []
    for description, number, chat_id, details in session.execute(query):
        opening = (description or "").split("\n")[0].strip()
        if not opening:
            continue
        sightings.append(case_sighting(sources, f"caso:{number}", chat_id, opening, details or {}, WITHDRAWN))
    return sightings


def case_sighting(
    sources: Sources,
    case: str,
    chat_id: str,
    text: str,
    classified: dict,
    reason: str,
    label: str | None = None,
) -> Sighting:
    """A case's message, masked, with how it was classified (`intent`, `confidence`) and why it is
    collected; `label` the type someone chose for it, if any."""
    return Sighting(
        mask_personal_data(text),
        sources.add(case, chat_id),
        classified.get("intent"),
        classified.get("confidence"),
        frozenset({reason}),
        None if label == NEEDS_TOPIC else label,
    )


@dataclass(frozen=True)
class Collected:
    messages_read: int
    by_reason: Counter
    groups: int
    new_items: int
    updated_items: int
    conflicts: list[tuple[str, list[str]]]  # (text, labels) that disagree


def collect(
    session: Session, tracker_engine: Engine, threshold: float, since: datetime | None = None, now=None
) -> Collected:
    now = now or utcnow()
    sources = Sources()
    turns = read_user_turns(tracker_engine, since)
    sightings = (
        turn_sightings(turns, threshold, sources)
        + correction_sightings(session, sources)
        + withdrawal_sightings(session, sources)
    )
    groups = merge_similar(sightings)
    new = updated = 0
    for group in groups:
        keys = {item_key(group.text), normalized(group.text)}  # the latter: a long one SQLite kept whole
        item = session.execute(select(ReviewItem).where(ReviewItem.key.in_(keys))).scalar_one_or_none()
        if item is None:
            item = new_item(group, now)
            session.add(item)
            new += 1
        elif not set(group.sources) <= set(item.sources):
            updated += 1
        absorb(item, group, [sources.senders[source] for source in group.sources], now)
    session.flush()
    conflicts = session.execute(
        select(ReviewItem).where(ReviewItem.status == ReviewStatus.CONFLICT.value).order_by(ReviewItem.id)
    )
    return Collected(
        messages_read=sum(turn.typed for turn in turns),
        by_reason=Counter(reason for sighting in sightings for reason in sighting.reasons),
        groups=len(groups),
        new_items=new,
        updated_items=updated,
        conflicts=[(item.text, item.conflict) for item in conflicts.scalars()],
    )


def new_item(group: Group, now: datetime) -> ReviewItem:
    return ReviewItem(
        key=item_key(group.text),
        text=group.text,
        count=0,
        predicted_intent=group.predicted_intent,
        confidence=group.confidence,
        reasons=[],
        sources=[],
        conversations=[],
        status=ReviewStatus.PENDING.value,
        first_seen=now,
        last_seen=now,
    )


def absorb(item: ReviewItem, group: Group, senders: list[str], now: datetime) -> None:
    """The group's sightings join the item: each source once; its labels if it has none yet."""
    item.sources = list(dict.fromkeys([*item.sources, *group.sources]))
    item.conversations = list(dict.fromkeys([*item.conversations, *senders]))
    item.count = len(item.sources)
    item.reasons = sorted({*item.reasons, *group.reasons})
    if group.confidence is not None and (item.confidence is None or group.confidence < item.confidence):
        item.confidence, item.predicted_intent = group.confidence, group.predicted_intent
    item.last_seen = now
    if item.status in (ReviewStatus.PENDING.value, ReviewStatus.CONFLICT.value) and group.labels:
        labels = sorted({*group.labels, *(item.conflict or [])})
        if len(labels) == 1:
            item.label, item.status, item.labelled_by, item.labelled_at = (
                labels[0], ReviewStatus.LABELLED.value, AGENT_CORRECTION, now
            )  # fmt: skip
        else:
            item.status, item.conflict = ReviewStatus.CONFLICT.value, labels
