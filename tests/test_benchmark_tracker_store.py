"""The tracker-store benchmark (benchmarks/tracker_store.py), made small: both lookups measured on
real saves and reads, Rasa's own put back afterwards."""

from __future__ import annotations

from rasa.shared.core.events import Event

from benchmarks import tracker_store


def test_the_benchmark_measures_both_lookups_and_puts_rasas_back(monkeypatch):
    monkeypatch.setattr(tracker_store, "CONVERSATIONS_PER_ROUND", 2)
    monkeypatch.setattr(tracker_store, "ROUNDS", 1)
    rasa_lookup = Event.__dict__["resolve_by_type"]
    text = tracker_store.run()
    rows = [line for line in text.splitlines() if line.startswith("| Rasa's") or line.startswith("| table")]
    assert len(rows) == 2 and rows[0].endswith("| 1.00× |")
    assert all(f"| {2 * tracker_store.TURNS_PER_CONVERSATION} |" in row for row in rows)
    assert Event.__dict__["resolve_by_type"] is rasa_lookup
