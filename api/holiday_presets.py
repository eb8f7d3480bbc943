"""Country holiday presets, expanded to dates where a request comes in.

A calendar's events carry the dates a preset gave when it was applied, and the
preset's label for information, so a replay never depends on the version of the
`holidays` package. The API and the command line expand presets here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays

from domain.errors import InvalidValue

#: The years a preset may name, and how many at once.
FIRST_YEAR, LAST_YEAR, MAX_YEARS = 1970, 2100, 10


@dataclass(frozen=True)
class HolidayPreset:
    """A country's public holidays (optionally a subdivision's) in some years."""

    country: str
    subdivision: str | None
    years: tuple[int, ...]

    @property
    def label(self) -> str:
        """What the calendar keeps of the preset: "DE" or "DE-BY"."""
        return "-".join(part for part in (self.country, self.subdivision) if part)

    def dates(self) -> list[date]:
        """The preset's holidays, in order; an unknown country or region is invalid."""
        if not self.years or len(set(self.years)) > MAX_YEARS:
            raise InvalidValue(f"a holiday preset names 1 to {MAX_YEARS} years")
        if not all(FIRST_YEAR <= year <= LAST_YEAR for year in self.years):
            raise InvalidValue(
                f"a holiday preset's years lie between {FIRST_YEAR} and {LAST_YEAR}"
            )
        # Only the package's own list: it would take other names for modules.
        regions = holidays.list_supported_countries().get(self.country)
        if regions is None or (
            self.subdivision is not None and self.subdivision not in regions
        ):
            raise InvalidValue(f"no holiday preset for {self.label!r}")
        found = holidays.country_holidays(
            self.country, subdiv=self.subdivision, years=sorted(set(self.years))
        )
        return sorted(found)


def with_preset(
    explicit: Iterable[date], preset: HolidayPreset | None
) -> tuple[tuple[date, ...], str | None]:
    """A calendar's holidays, the dates given and the preset's, and its label."""
    dates = set(explicit)
    if preset is not None:
        dates.update(preset.dates())
    return tuple(sorted(dates)), preset.label if preset else None
