"""Resolutions of cases already closed and rated well, most similar first: similar by the sentence
encoder the NLU uses (what the customers meant, not their words), with personal data masked, so
nothing in a suggestion lets one customer recognise another's case."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assist.suggestions import SIMILAR_CASE, Suggestion
from bot.privacy.masking import mask_personal_data
from bot.store.models import Case, CaseStatus, Survey

WELL_RATED = 4  # of 5
MIN_SIMILARITY = 0.55  # cosine between the encoder's vectors
RECENT_CASES = 500  # the most recently closed ones are compared
MAX_TEXT = 3000  # characters of a resolution: the suggestion stays one Telegram message
CASE_NUMBER = re.compile(r"\b[DQS]-20\d{2}-\d{6}\b")

Encode = Callable[[list[str]], np.ndarray]


def rated_resolutions(session: Session, case_type: str, excluded_customer: int) -> list[tuple[str, str, str]]:
    """(case number, what the customer said, resolution) of closed cases of `case_type` whose customer
    said it was resolved and rated it well; none of `excluded_customer`'s own."""
    rows = session.execute(
        select(Case.number, Case.description, Case.resolution)
        .join(Survey, Survey.case_id == Case.id)
        .where(
            Case.type == case_type,
            Case.status == CaseStatus.CERRADO.value,
            Case.resolution.is_not(None),
            Case.customer_id != excluded_customer,
            Survey.resolved.is_(True),
            Survey.csat >= WELL_RATED,
        )
        .order_by(Case.closed_at.desc())
        .limit(RECENT_CASES)
    ).all()
    return [
        (number, description, resolution) for number, description, resolution in rows if resolution.strip()
    ]


def similar_suggestions(
    said: str, solved: Sequence[tuple[str, str, str]], encode: Encode, limit: int = 2
) -> list[Suggestion]:
    if not said.strip() or not solved:
        return []
    vectors = encode([said, *(description for _, description, _ in solved)])
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    similarity = unit[1:] @ unit[0]
    found = []
    for index in np.argsort(-similarity)[:limit]:
        if similarity[index] >= MIN_SIMILARITY:
            number, _, resolution = solved[index]
            found.append(Suggestion(SIMILAR_CASE, number, masked(resolution), float(similarity[index])))
    return found


def masked(resolution: str) -> str:
    text = CASE_NUMBER.sub("[caso]", mask_personal_data(resolution.strip()))
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"
