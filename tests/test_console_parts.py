"""The console's pure parts: the login limit and sessions on a fake clock, the generated password,
the query parameters a supervisor (or anyone) can send, and the charts' geometry."""

from __future__ import annotations

import stat
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.console.auth import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    MAX_TRACKED,
    Credentials,
    LoginThrottle,
    Sessions,
    console_credentials,
)
from bot.console.case_views import CaseFilters
from bot.console.charts import (
    CHART_WIDTH,
    COLUMNS_HEIGHT,
    LABEL_WIDTH,
    VALUE_ROOM,
    VALUE_WIDTH,
    bar_chart,
    stacked_columns,
)
from bot.console.dashboard import DateRange

START = datetime(2026, 11, 24, 9, 0)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_five_wrong_passwords_lock_the_address_until_the_first_is_fifteen_minutes_old():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for minute in range(5):  # a different user name each time: the address alone adds up
        assert throttle.wait("10.0.0.1", "nuevo") is None
        clock.now = START + timedelta(minutes=minute)
        throttle.failed("10.0.0.1", f"usuario-{minute}")
    assert throttle.wait("10.0.0.1", "nuevo") == timedelta(minutes=11)  # the first failure was at 9:00
    assert throttle.wait("10.0.0.2", "nuevo") is None  # another address is not punished
    clock.now = START + timedelta(minutes=15)
    assert throttle.wait("10.0.0.1", "nuevo") is None  # 9:00's failure has left the window: 4 remain
    throttle.failed("10.0.0.1", "usuario-5")
    assert throttle.wait("10.0.0.1", "nuevo") == timedelta(minutes=1)


def test_a_right_password_forgets_the_failures():
    throttle = LoginThrottle(Clock())
    for _ in range(4):
        throttle.failed("10.0.0.1", "ana")
    throttle.succeeded("10.0.0.1", "ana")
    for _ in range(4):
        throttle.failed("10.0.0.1", "ana")
    assert throttle.wait("10.0.0.1", "ana") is None


def test_sessions_last_eight_hours_and_end_on_logout():
    clock = Clock()
    sessions = Sessions(clock)
    kept, closed = sessions.open(), sessions.open()
    assert kept != closed and len(kept) >= 40
    sessions.close(closed)
    assert sessions.valid(kept) and not sessions.valid(closed)
    assert not sessions.valid(None) and not sessions.valid("") and not sessions.valid("forged")
    clock.now = START + timedelta(hours=8)
    assert not sessions.valid(kept)


def test_credentials_compare_user_and_password_and_keep_only_a_hash():
    credentials = Credentials.from_password("supervisora", "clave")
    assert credentials.password_hash.startswith("$argon2id$") and "clave" not in credentials.password_hash
    assert credentials.match("supervisora", "clave")
    assert not credentials.match("supervisora", "Clave") and not credentials.match("otra", "clave")
    assert not credentials.match("", "")
    # CONSOLE_PASSWORD may be the hash itself (python -m bot.console.auth prints one).
    from_hash = Credentials.from_password("supervisora", credentials.password_hash)
    assert from_hash == credentials and from_hash.match("supervisora", "clave")
    assert not Credentials("supervisora", "no es un hash").match("supervisora", "no es un hash")


def test_wrong_passwords_are_limited_per_address_and_per_user_within_bounded_memory():
    now = [datetime(2026, 12, 3, 10, 0)]
    throttle = LoginThrottle(clock=lambda: now[0])
    for attempt in range(MAX_FAILURES):  # one name guessed from many addresses
        throttle.failed(f"10.0.0.{attempt}", "supervisora")
    assert throttle.wait("10.9.9.9", "Supervisora ") is not None and throttle.wait("10.9.9.9", "otra") is None
    for attempt in range(MAX_FAILURES):  # many names guessed from one address
        throttle.failed("10.1.1.1", f"nombre-{attempt}")
    assert throttle.wait("10.1.1.1", "cualquiera") is not None
    now[0] += FAILURE_WINDOW
    assert throttle.wait("10.9.9.9", "supervisora") is None and throttle.wait("10.1.1.1", "x") is None
    for attempt in range(MAX_TRACKED + 50):
        throttle.failed(f"addr-{attempt}", "u")
    assert len(throttle.failures) <= MAX_TRACKED


def test_without_a_password_one_is_generated_once_and_kept_private(tmp_path: Path):
    kept = tmp_path / "var" / "console_password"
    first, generated = console_credentials("supervisor", None, kept)
    again, _ = console_credentials("supervisor", None, kept)
    kept_password = kept.read_text().strip()
    assert generated and len(kept_password) >= 16 and first.match("supervisor", kept_password)
    assert again.match("supervisor", kept_password)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    chosen, generated = console_credentials("supervisor", "mía", tmp_path / "other")
    assert chosen.match("supervisor", "mía") and not generated and not (tmp_path / "other").exists()


def test_the_date_range_defaults_to_thirty_days_and_explains_bad_dates():
    today = date(2026, 11, 24)
    assert DateRange.from_query({}, today) == DateRange(date(2026, 10, 26), today)
    assert DateRange.from_query({"desde": ["2026-11-01"]}, today) == DateRange(date(2026, 11, 1), today)
    assert DateRange.from_query({"desde": ["ayer"]}, today).error == "fecha_invalida"
    inverted = DateRange.from_query({"desde": ["2026-11-20"], "hasta": ["2026-11-01"]}, today)
    assert inverted == DateRange(date(2026, 10, 26), today, "rango_invertido")


def test_case_filters_keep_only_what_they_understand():
    sent = {
        "estado": ["abiertos"],
        "tipo": ["queja' OR 1=1"],
        "agente": ["12"],
        "vencidos": ["1"],
        "pagina": ["-3"],
        "equipo": ["logistica"],
    }
    filters = CaseFilters.from_query(sent)
    assert filters == CaseFilters(status="abiertos", type="", team="logistica", agent="12", overdue=True)
    assert CaseFilters.from_query({"agente": ["ninguno"], "pagina": ["2"]}).page == 2
    assert CaseFilters.from_query({"agente": ["<b>"], "estado": ["borrado"]}) == CaseFilters()


def test_bars_are_as_long_as_their_share_of_the_largest():
    chart = bar_chart([("Logística", 2.0), ("Calidad", 0.5), ("Pagos", None)], " h", highlight="Calidad")
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert [bar.width for bar in chart.bars] == [room, room / 4, 0]
    assert [bar.text for bar in chart.bars] == ["2.0 h", "0.5 h", "—"]
    assert [bar.highlight for bar in chart.bars] == [False, True, False]
    assert [bar.y for bar in chart.bars] == [0, 30, 60] and chart.height == 90
    percentages = bar_chart([("Ana", 50.0)], " %", scale_to=100)
    assert percentages.bars[0].width == room / 2


def test_columns_stack_each_type_and_label_at_most_twelve_days():
    chart = stacked_columns(["duda", "queja", "solicitud"], [("01/11", [2, 1, 1]), ("02/11", [0, 2, 0])])
    first, second = chart.columns
    assert chart.top == 4 and [segment.value for segment in first.segments] == [2, 1, 1]
    quarter = (COLUMNS_HEIGHT - VALUE_ROOM) / 4
    assert [segment.height for segment in first.segments] == [2 * quarter, quarter, quarter]
    assert first.segments[0].y == COLUMNS_HEIGHT - 2 * quarter and first.segments[-1].y == VALUE_ROOM
    assert [(segment.series, segment.height) for segment in second.segments] == [(1, 2 * quarter)]
    month = stacked_columns(["duda"], [(f"{day:02d}/11", [1]) for day in range(1, 31)])
    assert [column.label for column in month.columns if column.label] == [
        f"{day:02d}/11" for day in range(1, 31, 3)
    ]
