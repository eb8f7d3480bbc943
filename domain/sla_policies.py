"""SLA policies: how long each clock of a ticket may run, and which tickets they cover.

A policy sets, per priority, targets in business minutes for the first response,
the update (the next agent reply after the customer's last message) and the
solution; when a clock warns; which status categories pause the clocks; the
calendar it counts in (None: every minute, UTC); and the tickets it applies to.
Policies are tried by rank, then name; the first active one that matches wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from domain.audit import AuditedAggregate, Origin
from domain.errors import InvalidValue
from domain.ids import sla_policy_id
from domain.sla_book import PolicyRules
from domain.statuses import Category

CLOCKS = ("first_response", "update", "solution")
#: The categories whose statuses may pause the clocks.
PAUSABLE = (Category.NEW.value, Category.OPEN.value, Category.PENDING.value)
#: The longest target or warning, in minutes: a year.
MAX_MINUTES = 525_600
MAX_RANK = 1_000_000
DEFAULT_WARN_PERCENT = 80
#: The settings a policy's events carry besides its name.
SETTINGS = (
    "rank",
    "calendar",
    "targets",
    "warn_percent",
    "warn_before_minutes",
    "pause_categories",
    "applies_to",
    "active",
)


@dataclass(frozen=True)
class Targets:
    """Business minutes each clock of one priority may run; None: it does not run."""

    first_response: int | None = None
    update: int | None = None
    solution: int | None = None


@dataclass(frozen=True)
class PolicyScope:
    """Which tickets a policy applies to; an empty list means any."""

    queues: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicySettings:
    """Everything an admin sets on a policy but its name."""

    targets: Mapping[str, Targets]
    rank: int = 100
    calendar: str | None = None
    warn_percent: int | None = DEFAULT_WARN_PERCENT
    warn_before_minutes: int | None = None
    pause_categories: tuple[str, ...] = (Category.PENDING.value,)
    applies_to: PolicyScope = field(default_factory=PolicyScope)
    active: bool = True


class SlaPolicy(AuditedAggregate):
    """A named set of targets per priority, for the tickets it applies to."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        name: str
        rank: int
        calendar: str | None
        targets: dict[str, dict[str, int | None]]
        warn_percent: int | None
        warn_before_minutes: int | None
        pause_categories: list[str]
        applies_to: dict[str, list[str]]
        active: bool

    class Created(AuditedAggregate.Created):
        name: str
        rank: int
        calendar: str | None
        targets: dict[str, dict[str, int | None]]
        warn_percent: int | None
        warn_before_minutes: int | None
        pause_categories: list[str]
        applies_to: dict[str, list[str]]
        active: bool

        def apply(self, aggregate: SlaPolicy) -> None:
            aggregate.name = self.name
            _apply(aggregate, self)

    class Reconfigured(AuditedAggregate.Event):
        rank: int
        calendar: str | None
        targets: dict[str, dict[str, int | None]]
        warn_percent: int | None
        warn_before_minutes: int | None
        pause_categories: list[str]
        applies_to: dict[str, list[str]]
        active: bool

        def apply(self, aggregate: SlaPolicy) -> None:
            _apply(aggregate, self)

    @classmethod
    def define(cls, name: str, settings: PolicySettings, origin: Origin) -> SlaPolicy:
        """A new policy; its settings are checked."""
        if not name or len(name) > 100 or name != name.strip():
            raise InvalidValue("a policy name has 1 to 100 characters")
        return cls._start(
            cls.Created, sla_policy_id(name), origin, name=name, **_checked(settings)
        )

    def reconfigure(self, settings: PolicySettings, origin: Origin) -> None:
        """Change any of the policy's settings."""
        new = _checked(settings)
        if any(getattr(self, key) != value for key, value in new.items()):
            self._record(self.Reconfigured, origin, **new)

    def settings(self) -> PolicySettings:
        """The policy's settings as they stand."""
        return PolicySettings(
            targets={p: Targets(**t) for p, t in self.targets.items()},
            rank=self.rank,
            calendar=self.calendar,
            warn_percent=self.warn_percent,
            warn_before_minutes=self.warn_before_minutes,
            pause_categories=tuple(self.pause_categories),
            applies_to=PolicyScope(
                **{key: tuple(names) for key, names in self.applies_to.items()}
            ),
            active=self.active,
        )

    def rules(self) -> PolicyRules:
        """The policy as the SLA book reads it (domain/sla_book.py)."""
        return PolicyRules.from_settings(
            {"name": self.name, **{key: getattr(self, key) for key in SETTINGS}}
        )


def policy_order(policy: SlaPolicy) -> tuple[int, str]:
    """The order policies are tried in: by rank, then by name."""
    return policy.rank, policy.name.casefold()


def _apply(
    aggregate: SlaPolicy, event: SlaPolicy.Created | SlaPolicy.Reconfigured
) -> None:
    aggregate.rank = event.rank
    aggregate.calendar = event.calendar
    aggregate.targets = {p: dict(t) for p, t in event.targets.items()}
    aggregate.warn_percent = event.warn_percent
    aggregate.warn_before_minutes = event.warn_before_minutes
    aggregate.pause_categories = list(event.pause_categories)
    aggregate.applies_to = {k: list(v) for k, v in event.applies_to.items()}
    aggregate.active = event.active


def _minutes(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{what} is a whole number of minutes")
    if not 1 <= value <= MAX_MINUTES:
        raise InvalidValue(f"{what} lies between 1 and {MAX_MINUTES} minutes")
    return value


def _targets(targets: Mapping[str, Targets]) -> dict[str, dict[str, int | None]]:
    if not targets:
        raise InvalidValue("a policy sets targets for at least one priority")
    checked = {}
    for priority, clocks in targets.items():
        minutes = {
            clock: _minutes(getattr(clocks, clock), f"the {clock} target of {priority}")
            for clock in CLOCKS
        }
        if all(value is None for value in minutes.values()):
            raise InvalidValue(f"the targets of {priority!r} name at least one clock")
        checked[priority] = minutes
    return checked


def _warning(settings: PolicySettings) -> dict[str, int | None]:
    percent, before = settings.warn_percent, settings.warn_before_minutes
    if (percent is None) == (before is None):
        raise InvalidValue("a policy warns by warn_percent or warn_before_minutes")
    if percent is not None and (
        isinstance(percent, bool)
        or not isinstance(percent, int)
        or not 1 <= percent <= 99
    ):
        raise InvalidValue("warn_percent lies between 1 and 99")
    return {
        "warn_percent": percent,
        "warn_before_minutes": _minutes(before, "warn_before_minutes"),
    }


def _names(names: Iterable[str], what: str) -> list[str]:
    unique = list(dict.fromkeys(names))
    if any(not name or len(name) > 100 for name in unique):
        raise InvalidValue(f"each of the {what} has 1 to 100 characters")
    return unique


def _checked(settings: PolicySettings) -> dict[str, Any]:
    """A policy's settings as its events carry them, checked."""
    if isinstance(settings.rank, bool) or not 0 <= settings.rank <= MAX_RANK:
        raise InvalidValue(f"a policy's rank lies between 0 and {MAX_RANK}")
    if settings.calendar is not None and not settings.calendar:
        raise InvalidValue("a calendar name has 1 to 100 characters")
    pauses = sorted(set(settings.pause_categories))
    if unknown := [p for p in pauses if p not in PAUSABLE]:
        raise InvalidValue(
            f"only {', '.join(PAUSABLE)} can pause the clocks, not {unknown[0]!r}"
        )
    scope = settings.applies_to
    return {
        "rank": settings.rank,
        "calendar": settings.calendar,
        "targets": _targets(settings.targets),
        **_warning(settings),
        "pause_categories": pauses,
        "applies_to": {
            "queues": _names(scope.queues, "queues"),
            "types": _names(scope.types, "types"),
            "priorities": _names(scope.priorities, "priorities"),
            "organizations": _names(scope.organizations, "organizations"),
        },
        "active": settings.active,
    }
