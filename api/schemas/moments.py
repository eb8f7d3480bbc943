"""The moments and days a request may name: within the years the desk counts in.

Python's datetime ends at the years 1 and 9999, so a moment near either end
with a zone offset (`9999-12-31T23:59:59-14:00`) cannot even be turned into
UTC, and a default period counted back from one cannot be made: such a
request was a 500. The desk keeps to the years its business time counts in,
from the Unix epoch (the views' first microsecond) up to 9000.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field
from pydantic_core import PydanticCustomError

from domain.business_time import LATEST

#: The earliest moment a request may name.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _within_range(moment: datetime) -> datetime:
    """The moment, if it lies in the desk's years; else a validation error."""
    # The year first: only far from Python's ends can an offset be applied.
    if EARLIEST.year - 1 <= moment.year <= LATEST.year and EARLIEST <= moment < LATEST:
        return moment
    raise PydanticCustomError(
        "moment_out_of_range",
        "a moment must lie at or after {earliest} and before {latest}",
        {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
    )


#: A moment with a time zone, from the epoch up to the year 9000.
Moment = Annotated[AwareDatetime, AfterValidator(_within_range)]
#: A UTC or local day in the same years (a day's end may reach into 9000).
Day = Annotated[date, Field(ge=EARLIEST.date(), le=date(LATEST.year, 12, 31))]
