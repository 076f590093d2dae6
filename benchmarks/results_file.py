"""benchmarks/results.md: one `## ` section per suite, each rewritten by the run that measured it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

RESULTS_PATH = Path(__file__).with_name("results.md")
TITLE = "# Benchmark results"


def sections_of(text: str) -> dict[str, str]:
    """The `## ` sections of a results file, by heading, in their order."""
    sections: dict[str, str] = {}
    for chunk in text.split("\n## ")[1:]:
        heading, _, body = chunk.partition("\n")
        sections[f"## {heading}"] = f"## {heading}\n{body.rstrip()}\n"
    return sections


def write_results(
    new_sections: dict[str, str], order: tuple[str, ...] = (), path: Path = RESULTS_PATH
) -> None:
    """Replace the measured sections and keep the others where they stand: the `order`ed headings
    first, then the file's own order, new headings last."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = {**sections_of(old), **{h: s.rstrip() + "\n" for h, s in new_sections.items()}}
    headings = [h for h in order if h in sections] + [h for h in sections if h not in order]
    path.write_text("\n".join([TITLE + "\n", *(sections[h] for h in headings)]), encoding="utf-8")


def section_main(heading: str, measure: Callable[[], str], description: str) -> None:
    """The command line of a benchmark with one section: print it; with --write, also put it in
    benchmarks/results.md in place of the last run's."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--write", action="store_true", help="also rewrite this section of benchmarks/results.md"
    )
    args = parser.parse_args()
    text = measure()
    print(text)
    if args.write:
        write_results({heading: text})
