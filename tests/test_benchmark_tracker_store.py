"""The tracker-store benchmark (benchmarks/tracker_store.py), made small: the three stores measured
on real saves and reads, Rasa's own lookup put back afterwards."""

from __future__ import annotations

from rasa.shared.core.events import Event

from benchmarks import tracker_store


def test_the_benchmark_measures_the_three_stores_and_puts_rasas_lookup_back(monkeypatch):
    monkeypatch.setattr(tracker_store, "CONVERSATIONS_PER_ROUND", 2)
    monkeypatch.setattr(tracker_store, "ROUNDS", 1)
    rasa_lookup = Event.__dict__["resolve_by_type"]
    text = tracker_store.run()
    labels = (tracker_store.RASA_AS_SHIPPED, tracker_store.WITH_TABLE, tracker_store.OURS)
    rows = [line for line in text.splitlines() if line.startswith(tuple(f"| {label} |" for label in labels))]
    assert len(rows) == 3 and rows[0].endswith("| 1.00× |")
    assert all(f"| {2 * tracker_store.TURNS_PER_CONVERSATION} |" in row for row in rows)
    assert Event.__dict__["resolve_by_type"] is rasa_lookup
