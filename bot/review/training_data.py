"""The labelled review items as Rasa NLU training data (data/nlu/from_conversations.yml)."""

from __future__ import annotations

from collections import defaultdict

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.privacy.masking import (
    ADDRESS,
    CARD,
    CVV,
    EMAIL,
    HANDLE,
    IBAN,
    ID_DOCUMENT,
    NAME,
    ORDER,
    PASSPORT,
    PHONE,
    PLATE,
    POSTAL_CODE,
)  # fmt: skip
from bot.store.models import ReviewItem, ReviewStatus

# What a masked value becomes in a training example: the shape the model sees in real messages.
EXAMPLE_VALUES = {
    EMAIL: "cliente@correo.es",
    PHONE: "612 345 678",
    ORDER: "PED-1234567",
    CARD: "4111 1111 1111 1111",
    IBAN: "ES91 2100 0418 4502 0005 1332",
    ID_DOCUMENT: "12345678Z",
    NAME: "Lucía Pérez",
    ADDRESS: "calle Mayor 12, 3º B",
    POSTAL_CODE: "28013",
    HANDLE: "@cliente",
    CVV: "123",
    PASSPORT: "PAA123456",
    PLATE: "1234 BCD",
}
HEADER = (
    "# Written by `python -m bot retrain` from the messages operators labelled (review_items);\n"
    "# personal data was masked and is shown here as example values. Do not edit by hand:\n"
    "# label in the console or with `python -m bot review export/import`, then retrain.\n"
)


def example_text(masked: str) -> str:
    """A masked text as a training example: example values for the placeholders, and no other
    square brackets (Rasa would read `[..](..)` as an entity annotation)."""
    for placeholder, value in EXAMPLE_VALUES.items():
        masked = masked.replace(placeholder, value)
    return masked.replace("[", "(").replace("]", ")").strip()


def labelled_examples(session: Session) -> dict[str, list[str]]:
    """Label → texts, in a stable order."""
    query = (
        select(ReviewItem.label, ReviewItem.text)
        .where(ReviewItem.status == ReviewStatus.LABELLED.value, ReviewItem.label.is_not(None))
        .order_by(ReviewItem.label, ReviewItem.id)
    )
    examples: dict[str, list[str]] = defaultdict(list)
    for label, text in session.execute(query):
        example = example_text(text)
        if example and example not in examples[label]:
            examples[label].append(example)
    return dict(examples)


def nlu_yaml(examples: dict[str, list[str]]) -> str:
    blocks = [
        {"intent": label, "examples": "".join(f"- {text}\n" for text in texts)}
        for label, texts in sorted(examples.items())
    ]
    body = yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False, width=1000)
    return HEADER + body
