"""Reading what `python -m bot report …` printed and wrote, for the report tests."""

from __future__ import annotations

import csv
from pathlib import Path


def squeezed(line: str) -> str:
    """A printed table line with its column padding taken out."""
    return " ".join(line.split())


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a written CSV, by header."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_header(path: Path) -> str:
    """The first line of a written CSV: its headers, in order."""
    return path.read_text(encoding="utf-8").splitlines()[0]
