"""`python -m bot review export|import FILE`: the review items as YAML or CSV, for operators who
label in a file. A text given two different labels in one file is reported and left alone."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.review.labels import DISCARD, label_problem
from bot.review.similar import normalized
from bot.store.models import ReviewItem, ReviewStatus, utcnow

FIELDS = ("id", "text", "count", "predicted", "confidence", "reasons", "label", "sources", "link")
FROM_FILE = "fichero"


class ReviewFileError(ValueError):
    """A file that cannot be read as a review file; the message says why."""


def export_rows(session: Session, console: str, everything: bool = False) -> list[dict[str, Any]]:
    """Pending and conflicting items (or every item), most seen first; `label` is the one given,
    or empty to fill in; `link` is the item's page in the console at `console`, with its
    conversation."""
    query = select(ReviewItem).order_by(ReviewItem.count.desc(), ReviewItem.id)
    if not everything:
        query = query.where(ReviewItem.status.in_((ReviewStatus.PENDING.value, ReviewStatus.CONFLICT.value)))
    return [
        {
            "id": item.id,
            "text": item.text,
            "count": item.count,
            "predicted": item.predicted_intent or "",
            "confidence": None if item.confidence is None else round(item.confidence, 3),
            "reasons": " ".join(item.reasons),
            "label": item.label or "",
            "sources": " ".join(item.sources),
            "link": f"{console.rstrip('/')}/revision/{item.id}",
        }
        for item in session.execute(query).scalars()
    ]


def write_file(path: Path, rows: list[dict[str, Any]]) -> None:
    if path.suffix.lower() == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        return
    header = (
        "# Review items: fill in `label` (an intent such as queja, solicitud or duda/envios, or\n"
        f"# {DISCARD}) and import with: python -m bot review import {path.name}\n"
    )
    path.write_text(header + yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")


def read_file(path: Path) -> list[dict[str, Any]]:
    try:
        if path.suffix.lower() == ".csv":
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        else:
            rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError, csv.Error, UnicodeDecodeError) as error:
        raise ReviewFileError(f"{path}: cannot be read ({error})") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) and "id" in row for row in rows):
        raise ReviewFileError(
            f"{path}: expected a list of items, each with an `id` (as `review export` writes)"
        )
    return rows


@dataclass
class Imported:
    labelled: int = 0
    discarded: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # rows not applied, and why
    conflicts: list[tuple[str, list[str]]] = field(default_factory=list)


def import_rows(session: Session, rows: list[dict[str, Any]], now: datetime | None = None) -> Imported:
    now, result = now or utcnow(), Imported()
    wanted: dict[str, list[tuple[int, str]]] = defaultdict(list)  # normalized text → (item id, label)
    for row in rows:
        label = str(row.get("label") or "").strip()
        if not label:
            result.unchanged += 1
            continue
        item = session.get(ReviewItem, int(row["id"])) if str(row["id"]).isdigit() else None
        if item is None:
            result.problems.append(f"id {row['id']}: no such review item")
        elif label != DISCARD and (problem := label_problem(label)):
            result.problems.append(f"id {item.id} «{item.text}»: {problem}")
        else:
            wanted[normalized(item.text)].append((item.id, label))
    for choices in wanted.values():
        labels = sorted({label for _, label in choices})
        if len(labels) > 1:
            result.conflicts.append((session.get(ReviewItem, choices[0][0]).text, labels))
            continue
        for item_id in dict.fromkeys(item_id for item_id, _ in choices):
            apply_label(session.get(ReviewItem, item_id), labels[0], FROM_FILE, now)
            if labels[0] == DISCARD:
                result.discarded += 1
            else:
                result.labelled += 1
    return result


def apply_label(item: ReviewItem, label: str, who: str, now: datetime) -> None:
    """`label` (or DISCARD) given to `item` by `who`: the file route and the console alike."""
    if label == DISCARD:
        item.status, item.label = ReviewStatus.DISCARDED.value, None
    else:
        item.status, item.label = ReviewStatus.LABELLED.value, label
    item.conflict, item.labelled_by, item.labelled_at = None, who, now
