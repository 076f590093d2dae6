"""The SLA policy file: which times apply to a case, and a clear error for a broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.deadlines.sla import load_sla_policy


def test_the_most_specific_time_wins_key_by_key():
    policy = load_sla_policy(PROJECT_ROOT / "sla.yml")
    assert policy.hours_for("duda", "envios", "baja") == {"first_response_hours": 8, "resolution_hours": 16}
    # a high-priority queja: the priority's first response, the type's resolution
    assert policy.hours_for("queja", "envio", "alta") == {"first_response_hours": 2, "resolution_hours": 20}
    assert policy.hours_for("queja", "cobro", "alta") == {"first_response_hours": 1, "resolution_hours": 10}
    assert policy.hours_for("otra", "cosa", "media") == {"first_response_hours": 4, "resolution_hours": 24}
    assert (policy.on_transfer, policy.on_reopen, policy.alerts_percent) == ("keep", "restart", (75, 90))


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("types: {}\n", "default must give first_response_hours and resolution_hours"),
        ("default: {first_response_hours: 4}\n", "default must give"),
        ("default: {first_response_hours: 4, resolution_hours: 0}\n", "default.resolution_hours must be"),
        (
            "default: {first_response_hours: 4, resolution_hours: 8}\ntypes: {queja: {respuesta: 2}}\n",
            "types.queja must give",
        ),
        (
            "default: {first_response_hours: 4, resolution_hours: 8}\non_reopen: sometimes\n",
            "on_reopen must be one of keep, restart",
        ),
        (
            "default: {first_response_hours: 4, resolution_hours: 8}\nalerts_percent: [75, 120]\n",
            "alerts_percent are percentages",
        ),
    ],
)
def test_a_broken_file_is_refused_with_the_key_named(tmp_path: Path, text: str, complaint: str):
    path = tmp_path / "sla.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_sla_policy(path)
    assert str(path) in str(refused.value) and complaint in str(refused.value)
