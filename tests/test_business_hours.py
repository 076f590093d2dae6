"""Business hours: open or closed at a moment, the next opening, "when the team is back" in Spanish,
and deadlines counted in opening hours (naive UTC in and out, local time in Europe/Madrid)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, get_settings
from bot.deadlines.business_hours import (
    BusinessHours,
    Shift,
    get_business_hours,
    load_business_hours,
    when_back,
)

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
    assert date(2026, 12, 8) in hours.holidays and date(2027, 3, 26) in hours.holidays  # Viernes Santo


def test_national_holidays_come_for_every_year_without_renewing_the_file(hours):
    new_years_eve_2030 = datetime(2030, 12, 31, 17, 59)  # Tuesday 18:59 in Madrid
    assert hours.next_opening(new_years_eve_2030 + timedelta(minutes=1)) == datetime(2031, 1, 2, 8, 0)
    assert date(2031, 1, 6) in hours.holidays and date(2031, 1, 7) not in hours.holidays


def calendar(tmp_path: Path, holidays: str) -> BusinessHours:
    return load_business_hours(written(tmp_path, VALID.replace("holidays: []", holidays)), MADRID)


def test_a_region_adds_its_own_holidays_and_the_mondays_it_moves_them_to(tmp_path):
    national = calendar(tmp_path, "holidays: {country: ES}")
    madrid = calendar(tmp_path, "holidays: {country: ES, region: md}")
    catalonia = calendar(tmp_path, "holidays: {country: ES, region: CT}")
    constitution_monday, diada = date(2026, 12, 7), date(2026, 9, 11)
    assert constitution_monday in madrid.holidays and constitution_monday not in national.holidays
    assert diada in catalonia.holidays and diada not in madrid.holidays
    # This file opens on Mondays and Sundays: the Monday after the Constitution is skipped.
    assert madrid.next_opening(datetime(2026, 12, 7, 9, 0)) == datetime(2026, 12, 13, 9, 0)
    assert national.next_opening(datetime(2026, 12, 7, 7, 0)) == datetime(2026, 12, 7, 8, 0)


def test_extra_days_close_and_removed_holidays_open(tmp_path):
    hours = calendar(tmp_path, "holidays: {country: ES, extra: [2026-11-23], removed: [2026-12-08]}")
    assert not hours.is_open(datetime(2026, 11, 23, 10, 0))  # a Monday the company closes
    assert date(2026, 12, 8) not in hours.holidays and date(2026, 12, 25) in hours.holidays


def test_a_plain_list_of_dates_is_still_read_as_the_only_holidays(tmp_path):
    hours = calendar(tmp_path, "holidays: [2026-11-23]")
    assert date(2026, 11, 23) in hours.holidays and date(2026, 12, 25) not in hours.holidays


@pytest.mark.parametrize(
    ("holidays", "key", "says"),
    [
        ("holidays: {country: ZZ}", "holidays.country", "'ZZ' is not a country python-holidays knows"),
        ("holidays: {country: ES, region: XX}", "holidays.region", "'XX' is not a region of ES .*MD"),
        ("holidays: {region: MD}", "holidays.country", "a region needs its country"),
        ("holidays: {country: ES, extra: 2026-12-24}", "holidays.extra", "expected a list of dates"),
        ("holidays: {country: ES, removed: [2026-02-30]}", "holidays.removed", "'2026-02-30' is not a date"),
        ("holidays: {pais: ES}", "holidays.pais", "unknown key"),
    ],
)
def test_a_wrong_holiday_setting_says_what_to_write(tmp_path, holidays, key, says):
    with pytest.raises(ValueError, match=rf"horario\.yml: {key}: {says}"):
        calendar(tmp_path, holidays)


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


HOURS = timedelta(hours=1)
SPLIT = VALID.replace('"09:00-19:00"', '["09:00-14:00", "16:00-19:00"]')
ALL_SUNDAY = VALID.replace('"10:00-14:00"', '"00:00-24:00"')


def test_a_deadline_from_friday_evening_falls_on_saturday_morning(hours):
    friday_1800 = datetime(2026, 11, 27, 17, 0)  # Madrid is UTC+1 in winter
    assert hours.add(friday_1800, 4 * HOURS) == datetime(2026, 11, 28, 12, 0)  # Saturday 13:00


def test_a_deadline_from_saturday_night_counts_from_monday_morning(hours):
    saturday_2000 = datetime(2026, 11, 28, 19, 0)
    assert hours.add(saturday_2000, 4 * HOURS) == datetime(2026, 11, 30, 12, 0)  # Monday 13:00


def test_a_deadline_skips_a_holiday(hours):
    monday_1700 = datetime(2026, 12, 7, 16, 0)  # Tuesday 8/12 is a holiday
    assert hours.add(monday_1700, 4 * HOURS) == datetime(2026, 12, 9, 10, 0)  # Wednesday 11:00
    assert hours.elapsed(monday_1700, datetime(2026, 12, 9, 10, 0)) == 4 * HOURS


def test_a_deadline_leaves_out_the_lunch_break_of_split_shifts(tmp_path):
    split = load_business_hours(written(tmp_path, SPLIT), MADRID)
    monday_1300 = datetime(2026, 11, 23, 12, 0)
    assert split.add(monday_1300, 2 * HOURS) == datetime(2026, 11, 23, 16, 0)  # 17:00, not 15:00
    assert split.add(datetime(2026, 11, 23, 13, 30), HOURS) == datetime(2026, 11, 23, 16, 0)  # from 16:00
    assert split.elapsed(datetime(2026, 11, 23, 8, 0), datetime(2026, 11, 23, 18, 0)) == 8 * HOURS


def test_a_deadline_spanning_several_days(hours):
    monday_1000 = datetime(2026, 11, 23, 9, 0)  # 10-hour days
    assert hours.add(monday_1000, 16 * HOURS) == datetime(2026, 11, 24, 15, 0)  # Tuesday 16:00
    assert hours.add(monday_1000, 9 * HOURS) == datetime(2026, 11, 23, 18, 0)  # Monday 19:00, the closing


def test_no_time_is_the_start_when_open_or_else_the_next_opening(hours):
    open_moment, closing = datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 24, 18, 0)
    assert hours.add(open_moment, timedelta(0)) == open_moment
    assert hours.add(closing, timedelta(0)) == datetime(2026, 11, 25, 8, 0)
    with pytest.raises(ValueError, match="cannot be negative"):
        hours.add(open_moment, -HOURS)


def test_deadlines_across_the_change_to_summer_time(hours, tmp_path):
    saturday_1200 = datetime(2026, 3, 28, 11, 0)  # CET, UTC+1
    assert hours.add(saturday_1200, 4 * HOURS) == datetime(2026, 3, 30, 9, 0)  # Monday 11:00 CEST, UTC+2
    assert hours.elapsed(saturday_1200, datetime(2026, 3, 30, 9, 0)) == 4 * HOURS
    sundays = load_business_hours(written(tmp_path, VALID), MADRID)
    assert sundays.add(datetime(2026, 3, 29, 1, 30), 2 * HOURS) == datetime(2026, 3, 29, 10, 0)  # 12:00 CEST
    all_sunday = load_business_hours(written(tmp_path, ALL_SUNDAY), MADRID)
    sunday = datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 22, 0)  # local midnight to midnight
    assert all_sunday.elapsed(*sunday) == 23 * HOURS
    assert all_sunday.add(sunday[0], 23 * HOURS) == sunday[1]


def test_deadlines_across_the_change_to_winter_time(hours, tmp_path):
    saturday_1300 = datetime(2026, 10, 24, 11, 0)  # CEST, UTC+2
    assert hours.add(saturday_1300, 2 * HOURS) == datetime(2026, 10, 26, 9, 0)  # Monday 10:00 CET, UTC+1
    sundays = load_business_hours(written(tmp_path, VALID), MADRID)
    assert sundays.add(datetime(2026, 10, 25, 0, 30), HOURS) == datetime(2026, 10, 25, 10, 0)  # 11:00 CET
    all_sunday = load_business_hours(written(tmp_path, ALL_SUNDAY), MADRID)
    sunday = datetime(2026, 10, 24, 22, 0), datetime(2026, 10, 25, 23, 0)
    assert all_sunday.elapsed(*sunday) == 25 * HOURS
    assert all_sunday.add(sunday[0], 25 * HOURS) == sunday[1]


def test_elapsed_over_a_weekend_counts_only_saturday_morning(hours):
    friday_1800, monday_1000 = datetime(2026, 11, 27, 17, 0), datetime(2026, 11, 30, 9, 0)
    assert hours.elapsed(friday_1800, monday_1000) == 6 * HOURS  # 1 on Friday, 4 on Saturday, 1 on Monday
    assert hours.elapsed(datetime(2026, 11, 28, 13, 0), datetime(2026, 11, 30, 8, 0)) == timedelta(0)
    assert hours.elapsed(monday_1000, friday_1800) == timedelta(0)


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 11, 23, 9, 0),  # Monday 10:00
        datetime(2026, 11, 27, 17, 59),  # Friday 18:59
        datetime(2026, 12, 7, 16, 15),  # Monday 17:15, a holiday next
        datetime(2026, 3, 27, 15, 30),  # Friday 16:30, summer time on Sunday
        datetime(2026, 12, 24, 6, 0),  # Thursday 7:00, before opening, Christmas next
    ],
)
@pytest.mark.parametrize("duration", [timedelta(0), timedelta(minutes=1), 4 * HOURS, 37 * HOURS, 600 * HOURS])
def test_elapsed_undoes_add(hours, start, duration):
    assert hours.elapsed(start, hours.add(start, duration)) == duration


def test_a_duration_longer_than_the_search_window_still_ends(hours):
    start = datetime(2026, 11, 23, 9, 0)
    deadline = hours.add(start, 5000 * HOURS)  # about two years of 54-hour weeks
    assert deadline - start > timedelta(days=600) and hours.elapsed(start, deadline) == 5000 * HOURS


def test_a_calendar_that_does_not_open_for_a_year_is_refused(tmp_path):
    every_day = ", ".join(str(date(2027, 1, 1) + timedelta(days=n)) for n in range(420))
    closed = load_business_hours(
        written(tmp_path, VALID.replace("holidays: []", f"holidays: [{every_day}]")), MADRID
    )
    with pytest.raises(ValueError, match="the team does not open in the 400 days from 2027-01-01"):
        closed.add(datetime(2027, 1, 1, 12, 0), HOURS)
    assert closed.elapsed(datetime(2027, 1, 1), datetime(2027, 12, 31)) == timedelta(0)
