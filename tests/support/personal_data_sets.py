"""Scoring a masker on the annotated personal-data sets of tests/data/ (personal_data_*.yml).

A span is caught when every letter and digit of it is gone from the masked text: the characters of
the original that the masked text replaced or dropped (a character-level diff) cover them all. A
sentence with no personal data must come out unchanged."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import yaml

DATA = Path(__file__).parents[1] / "data"


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[tuple[str, str], ...]  # (kind, text)


@dataclass
class Score:
    caught: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, span, masked sentence)
    clean: int = 0  # sentences without personal data
    altered: list[tuple[str, str]] = field(default_factory=list)  # (sentence, masked)

    @property
    def recall(self) -> float:
        return sum(self.caught.values()) / max(1, sum(self.total.values()))

    def recall_of(self, kind: str) -> float:
        return self.caught[kind] / max(1, self.total[kind])

    @property
    def clean_kept(self) -> float:
        return 1 - len(self.altered) / max(1, self.clean)


def load(name: str) -> list[Sentence]:
    raw = yaml.safe_load((DATA / f"personal_data_{name}.yml").read_text(encoding="utf-8"))
    return [
        Sentence(item["text"], tuple((span["kind"], span["text"]) for span in item["spans"] or ()))
        for item in raw["sentences"]
    ]


PLACEHOLDER = re.compile(r"\[[^][]{1,25}\]")


def removed_positions(original: str, masked: str) -> set[int]:
    # A placeholder as one character no original has: its letters cannot pass for the ones it hid.
    masked = PLACEHOLDER.sub("\ue000", masked)
    matcher = SequenceMatcher(None, original, masked, autojunk=False)
    removed: set[int] = set()
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.update(range(start, end))
    return removed


def score(sentences: list[Sentence], mask: Callable[[str], str]) -> Score:
    result = Score()
    for sentence in sentences:
        masked = mask(sentence.text)
        if not sentence.spans:
            result.clean += 1
            if masked != sentence.text:
                result.altered.append((sentence.text, masked))
            continue
        removed = removed_positions(sentence.text, masked)
        for kind, span in sentence.spans:
            start = sentence.text.index(span)
            needed = {start + i for i, char in enumerate(span) if char.isalnum()}
            result.total[kind] += 1
            if needed <= removed:
                result.caught[kind] += 1
            else:
                result.missed.append((kind, span, masked))
    return result


def report(result: Score) -> str:
    lines = [f"recall {result.recall:.3f} ({sum(result.caught.values())}/{sum(result.total.values())})"]
    lines += [
        f"  {kind:<17} {result.recall_of(kind):.2f} ({result.caught[kind]}/{result.total[kind]})"
        for kind in sorted(result.total)
    ]
    lines.append(f"sentences without personal data kept: {result.clean_kept:.3f} of {result.clean}")
    return "\n".join(lines)
