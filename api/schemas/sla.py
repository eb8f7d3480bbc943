"""Request and response models for business calendars and SLA policies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.holiday_presets import FIRST_YEAR, LAST_YEAR, MAX_YEARS, HolidayPreset
from api.holiday_presets import with_preset as holidays_with
from api.schemas.admin import Label, Patch, QueueName, Record
from api.schemas.text import PathSafe, Strict
from domain.calendars import ALL_WEEK, MAX_HOLIDAYS, WEEKDAYS, BusinessCalendar
from domain.configuration_commands import (
    DefineCalendar,
    DefineSlaPolicy,
    ReconfigureCalendar,
)
from domain.sla_policies import (
    DEFAULT_WARN_PERCENT,
    MAX_MINUTES,
    MAX_RANK,
    PolicyScope,
    SlaPolicy,
    Targets,
)

ALL_THE_TIME: Literal["24/7"] = "24/7"
Range = Annotated[
    str,
    StringConstraints(max_length=11),
    Field(description='"HH:MM-HH:MM", local time; an end of "24:00" is midnight.'),
]
DayRanges = Annotated[list[Range], Field(max_length=24)]
Minutes = Annotated[int, Field(ge=1, le=MAX_MINUTES)]
Names = Annotated[list[QueueName], Field(max_length=100)]
TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(description="An IANA time zone, such as Europe/Berlin."),
]
Pausing = Literal["new", "open", "pending"]

BERLIN: dict[str, Any] = {
    "name": "Berlin office",
    "time_zone": "Europe/Berlin",
    "hours": {
        "monday": ["09:00-12:00", "13:00-17:00"],
        "tuesday": ["09:00-17:00"],
        "wednesday": ["09:00-17:00"],
        "thursday": ["09:00-17:00"],
        "friday": ["09:00-15:00"],
    },
    "holidays": ["2026-12-24"],
    "holiday_preset": {"country": "DE", "subdivision": "BY", "years": [2026, 2027]},
}
STANDARD: dict[str, Any] = {
    "name": "Standard",
    "rank": 10,
    "calendar": "Berlin office",
    "targets": {
        "high": {"first_response": 60, "update": 240, "solution": 1440},
        "normal": {"first_response": 240, "solution": 4800},
    },
    "warn_percent": 80,
    "pause_categories": ["pending"],
    "applies_to": {"queues": ["General"], "organizations": ["ACME"]},
    "active": True,
}


class WeekHours(Strict):
    """Opening ranges per weekday; a day left out (or empty) is closed."""

    monday: DayRanges = Field(default_factory=list)
    tuesday: DayRanges = Field(default_factory=list)
    wednesday: DayRanges = Field(default_factory=list)
    thursday: DayRanges = Field(default_factory=list)
    friday: DayRanges = Field(default_factory=list)
    saturday: DayRanges = Field(default_factory=list)
    sunday: DayRanges = Field(default_factory=list)


#: The week's opening ranges, or "24/7": open every minute.
Hours = Literal["24/7"] | WeekHours


def week_of(hours: Hours) -> tuple[tuple[str, ...], ...]:
    """The week as a command takes it: seven days of ranges, Monday first."""
    if isinstance(hours, str):
        return ALL_WEEK
    return tuple(tuple(getattr(hours, day)) for day in WEEKDAYS)


class HolidayPresetIn(Strict):
    """A country's public holidays, optionally a subdivision's, in some years."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")] = Field(
        description="ISO 3166 code, such as DE."
    )
    subdivision: (
        Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^\S+$")]
        | None
    ) = Field(None, description="A region of the country, such as BY.")
    years: Annotated[
        list[Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]],
        Field(min_length=1, max_length=MAX_YEARS),
    ]

    def preset(self) -> HolidayPreset:
        """The preset, to expand to dates."""
        return HolidayPreset(self.country, self.subdivision, tuple(self.years))


Holidays = Annotated[list[date], Field(max_length=MAX_HOLIDAYS)]


class CalendarIn(Strict):
    """A new calendar. A preset's holidays are added to the dates given; the
    calendar keeps the dates and the preset's label ("DE-BY")."""

    model_config = ConfigDict(json_schema_extra={"examples": [BERLIN]})

    name: Annotated[QueueName, PathSafe]
    time_zone: TimeZone = "UTC"
    hours: Hours = ALL_THE_TIME
    holidays: Holidays = Field(default_factory=list)
    holiday_preset: HolidayPresetIn | None = None
    active: bool = True

    def command(self) -> DefineCalendar:
        """The command that defines the calendar, its preset expanded."""
        preset = self.holiday_preset.preset() if self.holiday_preset else None
        dates, label = holidays_with(self.holidays, preset)
        return DefineCalendar(
            self.name, self.time_zone, week_of(self.hours), dates, label, self.active
        )


class CalendarPatch(Patch):
    """Change a calendar. `holidays` and `holiday_preset` change together: the
    new holidays are the dates given plus the preset's (null: no preset)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"hours": "24/7"}, {"active": False}]}
    )
    nullable = frozenset({"holiday_preset"})

    time_zone: TimeZone | None = None
    hours: Hours | None = None
    holidays: Holidays | None = None
    holiday_preset: HolidayPresetIn | None = None
    active: bool | None = None

    def command(self, name: str) -> ReconfigureCalendar:
        """The command that changes the calendar of this name."""
        given = self.model_fields_set
        changes = {key: getattr(self, key) for key in {"time_zone", "active"} & given}
        if self.hours is not None:
            changes["week"] = week_of(self.hours)
        if {"holidays", "holiday_preset"} & given:
            preset = self.holiday_preset.preset() if self.holiday_preset else None
            changes["holidays"], changes["holiday_preset"] = holidays_with(
                self.holidays or (), preset
            )
        return ReconfigureCalendar(name, **changes)


class CalendarOut(Record):
    """A business calendar; every weekday is listed, a closed one empty."""

    name: str
    time_zone: str
    hours: dict[str, list[str]]
    holidays: list[date]
    holiday_preset: str | None
    active: bool

    @classmethod
    def of(cls, calendar: BusinessCalendar) -> CalendarOut:
        """The response form of a calendar."""
        return cls(
            name=calendar.name,
            time_zone=calendar.time_zone,
            hours={
                day: list(r) for day, r in zip(WEEKDAYS, calendar.week, strict=True)
            },
            holidays=calendar.holiday_dates(),
            holiday_preset=calendar.holiday_preset,
            active=calendar.active,
            version=calendar.version,
            created_at=calendar.created_on,
            updated_at=calendar.modified_on,
        )


class TargetsIn(Strict):
    """Business minutes each clock may run (1 to 525600); null: it does not run."""

    first_response: Minutes | None = None
    update: Minutes | None = Field(
        None, description="The next agent reply after the customer's last message."
    )
    solution: Minutes | None = None

    def targets(self) -> Targets:
        """The targets as the domain takes them."""
        return Targets(self.first_response, self.update, self.solution)


class ScopeIn(Strict):
    """Which tickets the policy applies to; an empty list means any."""

    queues: Names = Field(default_factory=list)
    types: Annotated[list[Label], Field(max_length=100)] = Field(default_factory=list)
    priorities: Annotated[list[Label], Field(max_length=100)] = Field(
        default_factory=list
    )
    organizations: Names = Field(default_factory=list)

    def scope(self) -> PolicyScope:
        """The scope as the domain takes it."""
        return PolicyScope(
            tuple(self.queues),
            tuple(self.types),
            tuple(self.priorities),
            tuple(self.organizations),
        )


TargetsByPriority = Annotated[
    dict[Label, TargetsIn], Field(min_length=1, max_length=100)
]
Rank = Annotated[
    int,
    Field(ge=0, le=MAX_RANK, description="Policies are tried by rank, then name."),
]
WarnPercent = Annotated[
    int, Field(ge=1, le=99, description="Warn when this share of a target is used.")
]
PauseCategories = Annotated[list[Pausing], Field(max_length=3)]


def _pending_only() -> list[Pausing]:
    return ["pending"]


class SlaPolicyIn(Strict):
    """A new SLA policy. It warns by warn_percent (80 unless told) or by
    warn_before_minutes, never both; a null calendar counts every minute, UTC."""

    model_config = ConfigDict(json_schema_extra={"examples": [STANDARD]})

    name: Annotated[QueueName, PathSafe]
    rank: Rank = 100
    calendar: QueueName | None = None
    targets: TargetsByPriority
    warn_percent: WarnPercent | None = None
    warn_before_minutes: Minutes | None = None
    pause_categories: PauseCategories = Field(default_factory=_pending_only)
    applies_to: ScopeIn = Field(default_factory=ScopeIn)
    active: bool = True

    @model_validator(mode="after")
    def _one_warning(self) -> Self:
        if self.warn_percent is not None and self.warn_before_minutes is not None:
            raise ValueError("give warn_percent or warn_before_minutes, not both")
        return self

    def command(self) -> DefineSlaPolicy:
        """The command that defines the policy."""
        percent = self.warn_percent
        if percent is None and self.warn_before_minutes is None:
            percent = DEFAULT_WARN_PERCENT
        return DefineSlaPolicy(
            self.name,
            {p: t.targets() for p, t in self.targets.items()},
            self.rank,
            self.calendar,
            percent,
            self.warn_before_minutes,
            tuple(self.pause_categories),
            self.applies_to.scope(),
            self.active,
        )


class SlaPolicyPatch(Patch):
    """Change a policy; targets and applies_to are replaced whole. A warning
    given replaces the other: warn_percent and warn_before_minutes change together."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"rank": 5}, {"warn_before_minutes": 30}]}
    )
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"calendar", "warn_percent", "warn_before_minutes"}
    )

    rank: Rank | None = None
    calendar: QueueName | None = None
    targets: TargetsByPriority | None = None
    warn_percent: WarnPercent | None = None
    warn_before_minutes: Minutes | None = None
    pause_categories: PauseCategories | None = None
    applies_to: ScopeIn | None = None
    active: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields this patch sets, as the change command takes them."""
        values = super().changes()
        if self.targets is not None:
            values["targets"] = {p: t.targets() for p, t in self.targets.items()}
        if self.applies_to is not None:
            values["applies_to"] = self.applies_to.scope()
        if {"warn_percent", "warn_before_minutes"} & self.model_fields_set:
            values["warn_percent"] = self.warn_percent
            values["warn_before_minutes"] = self.warn_before_minutes
        return values


class ClocksOut(BaseModel):
    """Business minutes each clock may run; null: it does not run."""

    first_response: int | None
    update: int | None
    solution: int | None


class ScopeOut(BaseModel):
    """Which tickets the policy applies to; an empty list means any."""

    queues: list[str]
    types: list[str]
    priorities: list[str]
    organizations: list[str]


class SlaPolicyOut(Record):
    """An SLA policy."""

    name: str
    rank: int
    calendar: str | None
    targets: dict[str, ClocksOut]
    warn_percent: int | None
    warn_before_minutes: int | None
    pause_categories: list[str]
    applies_to: ScopeOut
    active: bool

    @classmethod
    def of(cls, policy: SlaPolicy) -> SlaPolicyOut:
        """The response form of a policy."""
        return cls(
            name=policy.name,
            rank=policy.rank,
            calendar=policy.calendar,
            targets={p: ClocksOut(**t) for p, t in policy.targets.items()},
            warn_percent=policy.warn_percent,
            warn_before_minutes=policy.warn_before_minutes,
            pause_categories=list(policy.pause_categories),
            applies_to=ScopeOut(**policy.applies_to),
            active=policy.active,
            version=policy.version,
            created_at=policy.created_on,
            updated_at=policy.modified_on,
        )
