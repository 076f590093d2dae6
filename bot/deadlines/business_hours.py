"""Business hours (`business_hours.yml`): when people of the team are there to take cases.

Moments in and out are naive UTC, the store's convention; opening hours are local wall-clock
times in the service's time zone (`TIMEZONE`), so summer time needs nothing of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config import get_settings
from bot.deadlines.holiday_calendar import HolidayCalendar
from bot.labels import label, weekday_name
from bot.text import fold

UTC = ZoneInfo("UTC")
WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")  # folded
CLOSED = "cerrado"
KEYS = ("opening_hours", "holidays", "notice_after_minutes", "typical_wait_minutes")
HOLIDAY_KEYS = ("country", "region", "extra", "removed")
RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
SEARCH_DAYS = 400
CLOSED_NOTICE_DELAY = timedelta(minutes=1)  # after the escalation reply the customer is reading
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
NO_TIME = timedelta(0)


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so that a wrong one is reported with its key."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True, order=True)
class Shift:
    """One opening range of a day, local time: open from `start` until just before `end`."""

    start: time
    end: time


@dataclass(frozen=True)
class BusinessHours:
    zone: ZoneInfo
    weekly: tuple[tuple[Shift, ...], ...]  # Monday first, each day's shifts in order
    holidays: HolidayCalendar
    notice_after_minutes: int
    typical_wait_minutes: int

    def local(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC).astimezone(self.zone)

    def shifts_on(self, day: date) -> tuple[Shift, ...]:
        return () if day in self.holidays else self.weekly[day.weekday()]

    def is_open(self, moment: datetime) -> bool:
        local = self.local(moment)
        return any(s.start <= local.time() < s.end for s in self.shifts_on(local.date()))

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when the team is open, otherwise the next time it opens."""
        if self.is_open(moment):
            return moment
        first = self.local(moment).date()
        for day in (first + timedelta(days=n) for n in range(SEARCH_DAYS)):
            for shift in self.shifts_on(day):
                opening = self.utc(day, shift.start)
                if opening > moment:
                    return opening
        raise ValueError(f"the team does not open in the {SEARCH_DAYS} days after {moment:%Y-%m-%d}")

    def utc(self, day: date, at: time) -> datetime:
        """The naive UTC moment of local time `at` on `day`."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """When `duration` of opening time has passed since `start` (an SLA deadline), counting from
        the next opening when `start` is outside hours. ValueError for a negative `duration`, or when
        the team does not open in SEARCH_DAYS days on the way."""
        if duration < NO_TIME:
            raise ValueError(f"a duration of opening time cannot be negative, got {duration}")
        ranges, left = self._open_ranges(start), duration
        opens, closes = next(ranges)
        while left > closes - opens:
            left -= closes - opens
            opens, closes = next(ranges)
        return opens + left

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Opening time between `start` and `end`; nothing when `end` is not after `start`."""
        first, last = self.local(start).date(), self.local(end).date()
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        spans = (
            min(closes, end) - max(opens, start) for day in days for opens, closes in self._ranges_on(day)
        )
        return sum((span for span in spans if span > NO_TIME), NO_TIME)

    def _open_ranges(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The opening ranges from `since` on, in order, the first one cut at `since`; ValueError
        after SEARCH_DAYS days in a row without any."""
        day, idle = self.local(since).date(), 0
        while idle < SEARCH_DAYS:
            ranges = [(max(opens, since), closes) for opens, closes in self._ranges_on(day) if closes > since]
            idle = 0 if ranges else idle + 1
            yield from ranges
            day += timedelta(days=1)
        idle_since = day - timedelta(days=SEARCH_DAYS)
        raise ValueError(f"the team does not open in the {SEARCH_DAYS} days from {idle_since:%Y-%m-%d}")

    def _ranges_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's shifts as naive UTC (opens, closes) pairs, in order, overlaps merged away."""
        ranges: list[tuple[datetime, datetime]] = []
        for shift in self.shifts_on(day):
            last = ranges[-1][1] if ranges else datetime.min
            opens, closes = max(self.utc(day, shift.start), last), self._closing(day, shift)
            if closes > opens:
                ranges.append((opens, closes))
        return ranges

    def _closing(self, day: date, shift: Shift) -> datetime:
        """When `shift` closes on `day`; a shift until 24:00 closes at midnight."""
        if shift.end == time.max:
            return self.utc(day + timedelta(days=1), time.min)
        return self.utc(day, shift.end)

    def notice_due(self, escalated_at: datetime) -> datetime:
        """When a customer whose case nobody took is told so: `notice_after_minutes` after the
        escalation within opening hours; outside them a minute after it, so that the notice
        follows the escalation's own reply instead of racing it."""
        if self.is_open(escalated_at):
            return escalated_at + timedelta(minutes=self.notice_after_minutes)
        return escalated_at + CLOSED_NOTICE_DELAY


def when_back(hours: BusinessHours, now: datetime) -> str:
    """When the team opens next, in Spanish and relative to `now`: `hoy a las 9:00`,
    `mañana a las 9:00` or `el lunes 7/12 a las 9:00`."""
    opening = hours.local(hours.next_opening(now))
    days = (opening.date() - hours.local(now).date()).days
    at = f"{opening.hour}:{opening.minute:02d}"
    if days == 0:
        return label("unattended_notice", "back_today").format(hora=at)
    if days == 1:
        return label("unattended_notice", "back_tomorrow").format(hora=at)
    weekday = weekday_name(opening)
    day = f"{opening.day}/{opening.month}"
    return label("unattended_notice", "back_later").format(dia=weekday, fecha=day, hora=at)


def load_business_hours(path: Path, timezone: str | None = None) -> BusinessHours:
    """Read `path`; `timezone` defaults to the TIMEZONE setting. ValueError naming the file and
    the key when something is wrong."""
    raw = _read(path)
    return BusinessHours(
        zone=_zone(timezone or get_settings().timezone),
        weekly=_weekly(path, raw["opening_hours"]),
        holidays=_holidays(path, raw["holidays"]),
        notice_after_minutes=_minutes(path, raw, "notice_after_minutes", minimum=0),
        typical_wait_minutes=_minutes(path, raw, "typical_wait_minutes", minimum=1),
    )


@cache
def _cached_hours(path: Path, timezone: str) -> BusinessHours:
    return load_business_hours(path, timezone)


def get_business_hours() -> BusinessHours:
    settings = get_settings()
    return _cached_hours(settings.business_hours_path, settings.timezone)


def _invalid(path: Path, key: str, why: str) -> ValueError:
    return ValueError(f"{path}: {key}: {why}")


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_Loader)  # a SafeLoader
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected the keys {', '.join(KEYS)}")
    for key in raw:
        if key not in KEYS:
            raise _invalid(path, str(key), f"unknown key (expected {', '.join(KEYS)})")
    for key in KEYS:
        if key not in raw:
            raise _invalid(path, key, "missing")
    return raw


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"TIMEZONE {name!r} is not a known time zone") from error


def _weekly(path: Path, section: Any) -> tuple[tuple[Shift, ...], ...]:
    if not isinstance(section, dict):
        raise _invalid(path, "opening_hours", "expected weekdays (lunes … domingo) with their hours")
    days: dict[str, tuple[Shift, ...]] = {}
    for name, value in section.items():
        key = f"opening_hours.{name}"
        if fold(str(name)) not in WEEKDAYS:
            raise _invalid(path, key, "not a weekday (lunes, martes, … domingo)")
        days[fold(str(name))] = _shifts(path, key, value)
    if not any(days.values()):
        raise _invalid(path, "opening_hours", "the team opens on no day")
    return tuple(days.get(day, ()) for day in WEEKDAYS)


def _shifts(path: Path, key: str, value: Any) -> tuple[Shift, ...]:
    if value is None or (isinstance(value, str) and fold(value) == CLOSED):
        return ()
    ranges = [value] if isinstance(value, str) else value
    if not isinstance(ranges, list):
        raise _invalid(path, key, f'expected "HH:MM-HH:MM", a list of them or `cerrado`, got {value!r}')
    shifts = [_shift(text) for text in ranges]
    if None in shifts:
        raise _invalid(path, key, f'expected ranges like "09:00-19:00" (start before end), got {value!r}')
    return tuple(sorted(shifts))


def _shift(text: Any) -> Shift | None:
    match = RANGE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    hour, minute, end_hour, end_minute = (int(group) for group in match.groups())
    try:
        end = time.max if (end_hour, end_minute) == (24, 0) else time(end_hour, end_minute)
        shift = Shift(time(hour, minute), end)
    except ValueError:  # 25:00, 09:75
        return None
    return shift if shift.start < shift.end else None


def _holidays(path: Path, value: Any) -> HolidayCalendar:
    """`holidays:` is a country (and region) with extra and removed dates, or a plain list of dates."""
    if value is None:
        return HolidayCalendar()
    if isinstance(value, list):
        return HolidayCalendar(extra=_dates(path, "holidays", value))
    if not isinstance(value, dict):
        raise _invalid(path, "holidays", "expected country, region, extra and removed (or a list of dates)")
    for key in value:
        if key not in HOLIDAY_KEYS:
            raise _invalid(path, f"holidays.{key}", f"unknown key (expected {', '.join(HOLIDAY_KEYS)})")
    country, region = _code(path, value, "country"), _code(path, value, "region")
    if region is not None and country is None:
        raise _invalid(path, "holidays.country", "a region needs its country")
    extra = _dates(path, "holidays.extra", value.get("extra"))
    removed = _dates(path, "holidays.removed", value.get("removed"))
    try:
        return HolidayCalendar(country, region, extra, removed)
    except ValueError as error:  # an unknown country, or a region the country does not have
        key = "holidays.region" if "not a region" in str(error) else "holidays.country"
        raise _invalid(path, key, str(error)) from None


def _code(path: Path, section: dict[str, Any], key: str) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _invalid(path, f"holidays.{key}", f"expected a code such as ES or MD, got {value!r}")
    return value.strip().upper()


def _dates(path: Path, key: str, value: Any) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _invalid(path, key, "expected a list of dates (YYYY-MM-DD)")
    return frozenset(_date(path, key, item) for item in value)


def _date(path: Path, key: str, item: Any) -> date:
    try:
        return date.fromisoformat(str(item))
    except ValueError:
        raise _invalid(path, key, f"{item!r} is not a date (YYYY-MM-DD)") from None


def _minutes(path: Path, raw: dict[str, Any], key: str, minimum: int) -> int:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _invalid(path, key, f"expected a whole number of minutes, at least {minimum}; got {value!r}")
    return value
