"""The repeated 100-chat level's report (benchmarks/repeats.py): every run shown, with the median,
the spread and any turn that went wrong."""

from __future__ import annotations

from benchmarks.repeats import HEADING, Run, report


def test_each_run_is_shown_with_the_median_the_spread_and_the_troubles():
    text = report(
        {
            "SQLite, 1 process": [Run(31.2, 0), Run(33.0, 0), Run(30.1, 0)],
            "PostgreSQL, 2 replicas": [Run(44.9, 0), Run(40.5, 2), Run(43.0, 0)],
        }
    )
    assert text.startswith(HEADING) and "run 3 times in a row" in text
    assert "| SQLite, 1 process | 31.2 / 33.0 / 30.1 | 31.2 | 30.1 | 33.0 | 0 |" in text
    assert "| PostgreSQL, 2 replicas | 44.9 / 40.5 / 43.0 | 43.0 | 40.5 | 44.9 | 2 |" in text
