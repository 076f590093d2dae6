"""Fixed-width text tables and CSV files: how every report is printed and exported."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MISSING = "—"

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


def cell_text(value: Cell, suffix: str = "") -> str:
    """A value as printed: "—" when missing, numbers as they are (`3.5`, `80.0%`)."""
    return MISSING if value is None else f"{value}{suffix}"


NUMERIC = re.compile(rf"-?\d+(\.\d+)?%?|{MISSING}")  # as printed: 12, -3.5, 80.0%, or missing


def format_table(table: Table) -> list[str]:
    """The title, then the headers and rows in columns: the first column and every column with text to
    the left, those with only numbers (or missing marks) to the right."""
    rows = [list(table.headers), *(list(row) for row in table.rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]
    right = [i > 0 and all(NUMERIC.fullmatch(row[i]) for row in table.rows) for i in range(len(widths))]
    lines = [table.title]
    for row in rows:
        cells = [
            cell.rjust(width) if to_right else cell.ljust(width)
            for cell, width, to_right in zip(row, widths, right, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """UTF-8, comma separated; missing values are empty cells."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows([["" if value is None else value for value in row] for row in rows])
