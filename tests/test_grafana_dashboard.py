"""deploy/grafana-dashboard.json reads only metrics the processes expose: every `atencion_…` name
in its queries is one of this code's (each process's registry, and the console's store figures)."""

from __future__ import annotations

import json
import re

from prometheus_client import REGISTRY

import bot.metrics  # noqa: F401 - defines the processes' metrics in REGISTRY
from bot.config import PROJECT_ROOT
from bot.metrics import store_registry

DASHBOARD = json.loads((PROJECT_ROOT / "deploy" / "grafana-dashboard.json").read_text(encoding="utf-8"))
METRIC = re.compile(r"\batencion_\w+")
SAMPLE_SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_info", "_created")


def queried_names() -> set[str]:
    return {
        name
        for panel in DASHBOARD["panels"]
        for target in panel["targets"]
        for name in METRIC.findall(target["expr"])
    }


def exposed(name: str, families: set[str]) -> bool:
    return name in families or any(name.removesuffix(suffix) in families for suffix in SAMPLE_SUFFIXES)


def test_every_metric_the_dashboard_queries_is_exposed(session_factory):
    families = {family.name for family in REGISTRY.collect()}
    families |= {family.name for family in store_registry(session_factory).collect()}
    missing = {name for name in queried_names() if not exposed(name, families)}
    assert missing == set()
    assert len(queried_names()) >= 15


def test_every_panel_asks_the_chosen_prometheus_and_has_a_place_of_its_own():
    panels = DASHBOARD["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    assert all(panel["datasource"]["uid"] == "${datasource}" for panel in panels)
    places = {(p["gridPos"]["x"], p["gridPos"]["y"]) for p in panels}
    assert len(places) == len(panels)
