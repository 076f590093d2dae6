"""The console's review inbox: one collected message at a time, with the prediction preselected
and the conversation around it (masked), confirmed, relabelled or discarded in one step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.privacy.masking import mask_personal_data
from bot.review.files import apply_label
from bot.review.labels import DISCARD, label_problem, valid_labels
from bot.review.tracker_log import Said, conversation_around
from bot.store.models import ReviewItem, ReviewStatus

TO_REVIEW = (ReviewStatus.PENDING.value, ReviewStatus.CONFLICT.value)
FROM_CONSOLE = "consola"


@dataclass(frozen=True)
class ReviewCard:
    item: ReviewItem
    context: list[Said]  # customer lines masked
    cases: list[str]  # the case numbers it came from (agents' corrections)
    choices: list[str]
    preselected: str  # the label given, else the prediction when it is a label one can give
    left: int  # items still to review, this one included


def next_review(session: Session, tracker: Engine, after: int = 0) -> ReviewCard | None:
    """The first item to review after item `after` (wrapping round to the first)."""
    waiting = select(ReviewItem.id).where(ReviewItem.status.in_(TO_REVIEW)).order_by(ReviewItem.id)
    item_id = session.execute(waiting.where(ReviewItem.id > after).limit(1)).scalar_one_or_none()
    item_id = item_id or session.execute(waiting.limit(1)).scalar_one_or_none()
    return None if item_id is None else review_card(session, tracker, item_id)


def review_card(session: Session, tracker: Engine, item_id: int) -> ReviewCard | None:
    """One item, whatever its status (the link an export gives goes here)."""
    item = session.get(ReviewItem, item_id)
    if item is None:
        return None
    left = session.execute(select(func.count()).where(ReviewItem.status.in_(TO_REVIEW))).scalar_one()
    choices = sorted(valid_labels())
    guess = item.label or item.predicted_intent or ""
    return ReviewCard(
        item=item,
        context=masked_context(tracker, item),
        cases=[source.split(":", 1)[1] for source in item.sources if source.startswith("caso:")],
        choices=choices,
        preselected=guess if guess in choices else "",
        left=left,
    )


def masked_context(tracker: Engine, item: ReviewItem) -> list[Said]:
    """Around the first conversation it was seen in, every line masked: the bot and the agents
    repeat what customers gave them («Gracias, Lucía», «te lo enviamos a Calle Mayor 23»)."""
    conversation = next((source for source in item.sources if source.startswith("conversacion:")), None)
    if conversation is None or not item.conversations:
        return []
    message_id = conversation.split(":", 2)[2]
    lines = conversation_around(tracker, item.conversations[0], message_id)
    return [replace(line, text=mask_personal_data(line.text)) for line in lines]


def decide(session: Session, item_id: int, label: str, now: datetime) -> str | None:
    """Label (or `descartar`) the item; why not, when it cannot be."""
    item = session.get(ReviewItem, item_id)
    if item is None:
        return "no_existe"
    if label != DISCARD and label_problem(label):
        return "etiqueta_invalida"
    apply_label(item, label, FROM_CONSOLE, now)
    return None
