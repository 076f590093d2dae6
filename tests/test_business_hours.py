"""Business hours: open or closed at a moment, the next opening, and "when the team is back" in
Spanish (naive UTC in and out, local time in Europe/Madrid)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from bot.business_hours import BusinessHours, Shift, get_business_hours, load_business_hours, when_back
from bot.config import PROJECT_ROOT, get_settings

MADRID = "Europe/Madrid"
VALID = """\
opening_hours:
  lunes: "09:00-19:00"
  domingo: "10:00-14:00"
holidays: []
notice_after_minutes: 10
typical_wait_minutes: 30
"""


@pytest.fixture(scope="module")
def hours() -> BusinessHours:
    """The shipped defaults."""
    return load_business_hours(PROJECT_ROOT / "business_hours.yml", MADRID)


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "horario.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_has_spanish_business_defaults(hours):
    assert (hours.notice_after_minutes, hours.typical_wait_minutes) == (10, 30)
    assert hours.weekly[0] == (Shift(time(9), time(19)),)  # lunes
    assert hours.weekly[5] == (Shift(time(10), time(14)),)  # sábado
    assert hours.weekly[6] == ()  # domingo
    assert {date(2026, 12, 8), date(2027, 3, 26)} <= hours.holidays and len(hours.holidays) == 20


def test_a_weekday_evening_is_closed_until_the_next_morning(hours):
    tuesday_1859 = datetime(2026, 11, 24, 17, 59)  # 18:59 in Madrid (UTC+1 in winter)
    tuesday_1900 = datetime(2026, 11, 24, 18, 0)
    assert hours.is_open(tuesday_1859) and not hours.is_open(tuesday_1900)
    assert hours.next_opening(tuesday_1900) == datetime(2026, 11, 25, 8, 0)
    assert when_back(hours, datetime(2026, 11, 24, 19, 0)) == "mañana a las 9:00"
    assert when_back(hours, datetime(2026, 11, 25, 6, 0)) == "hoy a las 9:00"  # 7:00, before opening


def test_an_open_moment_is_its_own_next_opening(hours):
    moment = datetime(2026, 11, 24, 10, 0)
    assert hours.next_opening(moment) == moment


def test_the_weekend_is_saturday_morning_then_monday(hours):
    assert hours.is_open(datetime(2026, 11, 28, 12, 59)) and not hours.is_open(datetime(2026, 11, 28, 13, 0))
    assert when_back(hours, datetime(2026, 11, 28, 8, 0)) == "hoy a las 10:00"  # Saturday 9:00
    saturday_evening = datetime(2026, 11, 28, 19, 0)
    assert hours.next_opening(saturday_evening) == datetime(2026, 11, 30, 8, 0)
    assert when_back(hours, saturday_evening) == "el lunes 30/11 a las 9:00"
    assert not hours.is_open(datetime(2026, 11, 29, 11, 0))  # Sunday noon


def test_a_holiday_is_closed_all_day(hours):
    assert not hours.is_open(datetime(2026, 12, 8, 11, 0))  # Tuesday, Inmaculada Concepción
    assert when_back(hours, datetime(2026, 12, 7, 19, 0)) == "el miércoles 9/12 a las 9:00"
    assert when_back(hours, datetime(2026, 12, 5, 19, 0)) == "el lunes 7/12 a las 9:00"  # Sunday 6/12 too


def test_the_day_summer_time_starts_opening_hours_stay_local(hours, tmp_path):
    saturday_evening = datetime(2026, 3, 28, 19, 0)  # 20:00 CET
    assert hours.next_opening(saturday_evening) == datetime(2026, 3, 30, 7, 0)  # 9:00 CEST
    assert not hours.is_open(datetime(2026, 3, 30, 6, 59)) and hours.is_open(datetime(2026, 3, 30, 7, 0))

    sundays = load_business_hours(written(tmp_path, VALID), MADRID)
    change_day = datetime(2026, 3, 29, 1, 30)  # 3:30 CEST, just after the clocks went forward
    assert sundays.next_opening(change_day) == datetime(2026, 3, 29, 8, 0)  # 10:00 CEST
    assert when_back(sundays, change_day) == "hoy a las 10:00"
    assert not sundays.is_open(datetime(2026, 3, 29, 7, 59)) and sundays.is_open(datetime(2026, 3, 29, 8, 0))


def test_the_day_summer_time_ends_opening_hours_stay_local(tmp_path):
    sundays = load_business_hours(written(tmp_path, VALID), MADRID)
    assert not sundays.is_open(datetime(2026, 10, 25, 8, 59))  # 9:59 CET
    assert sundays.is_open(datetime(2026, 10, 25, 9, 0))  # 10:00 CET
    assert sundays.next_opening(datetime(2026, 10, 25, 0, 30)) == datetime(2026, 10, 25, 9, 0)


def test_split_shifts_weekdays_without_accents_and_midnight(tmp_path):
    text = VALID.replace(
        '  lunes: "09:00-19:00"\n',
        '  lunes: ["16:00-19:00", "09:00-14:00"]\n  miercoles: "00:00-24:00"\n',
    )
    split = load_business_hours(written(tmp_path, text), MADRID)
    monday = datetime(2026, 11, 23, 13, 30)  # 14:30 in Madrid: the lunch break
    assert not split.is_open(monday) and when_back(split, monday) == "hoy a las 16:00"
    assert split.is_open(datetime(2026, 11, 25, 22, 59))  # Wednesday 23:59


def test_get_business_hours_follows_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("BUSINESS_HOURS_PATH", str(written(tmp_path, VALID)))
    monkeypatch.setenv("TIMEZONE", "America/Bogota")
    get_settings.cache_clear()
    try:
        hours = get_business_hours()
    finally:
        get_settings.cache_clear()
    assert hours.zone.key == "America/Bogota" and hours.weekly[1] == ()  # no martes in this file
    assert hours.is_open(datetime(2026, 11, 23, 14, 0))  # Monday 9:00 in Bogotá (UTC-5)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("lunes:", "lunez:"), "opening_hours.lunez"),
        (('"09:00-19:00"', '"9-19"'), "opening_hours.lunes"),
        (('"09:00-19:00"', '"19:00-09:00"'), "opening_hours.lunes"),
        (('"09:00-19:00"', '"09:00-25:00"'), "opening_hours.lunes"),
        (("holidays: []", "holidays: [2026-13-01]"), "holidays"),
        (("holidays: []", "holidays: 2026-12-25"), "holidays"),
        (("notice_after_minutes: 10", "notice_after_minutes: -5"), "notice_after_minutes"),
        (("typical_wait_minutes: 30", "typical_wait_minutes: media hora"), "typical_wait_minutes"),
        (("typical_wait_minutes: 30\n", ""), "typical_wait_minutes"),
        (("holidays: []", "holidays: []\nfestivos: []"), "festivos"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_key(tmp_path, change, key):
    path = written(tmp_path, VALID.replace(*change))
    with pytest.raises(ValueError, match=rf"horario\.yml: {key}: "):
        load_business_hours(path, MADRID)


def test_a_file_that_is_not_yaml_or_never_opens_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"horario\.yml: not valid YAML"):
        load_business_hours(written(tmp_path, "opening_hours: [\n"), MADRID)
    never = VALID.replace('"09:00-19:00"', "cerrado").replace('"10:00-14:00"', "cerrado")
    with pytest.raises(ValueError, match=r"horario\.yml: opening_hours: the team opens on no day"):
        load_business_hours(written(tmp_path, never), MADRID)


def test_an_unknown_time_zone_is_refused(tmp_path):
    with pytest.raises(ValueError, match="TIMEZONE 'Europe/Madird'"):
        load_business_hours(written(tmp_path, VALID), "Europe/Madird")
