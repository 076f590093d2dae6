"""The days the team is closed all day: a country's public holidays (and its region's) from
python-holidays, for any year, plus the company's own days and minus the holidays it works."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import holidays


@dataclass(frozen=True)
class HolidayCalendar:
    country: str | None = None  # ISO 3166 code known to python-holidays: ES, MX, AR, CO…
    region: str | None = None  # one of the country's subdivisions: MD, CT, AN…
    extra: frozenset[date] = frozenset()  # the town's holidays, a company day off
    removed: frozenset[date] = frozenset()  # public holidays the team works
    public: holidays.HolidayBase | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Raise ValueError, in words an operator can act on, for an unknown country or region."""
        if self.country is None:
            if self.region is not None:
                raise ValueError("a region needs its country")
            return
        try:
            public = holidays.country_holidays(self.country, subdiv=self.region)
        except NotImplementedError:
            raise ValueError(self._unknown()) from None
        object.__setattr__(self, "public", public)

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or day in self.removed:
            return False
        return day in self.extra or (self.public is not None and day in self.public)

    def _unknown(self) -> str:
        supported = holidays.list_supported_countries()
        if self.country not in supported:
            return f"{self.country!r} is not a country python-holidays knows (ES, MX, AR, CO, CL, PE, …)"
        return f"{self.region!r} is not a region of {self.country} ({', '.join(supported[self.country])})"
