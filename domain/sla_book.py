"""The SLA book: which policy a ticket falls under, with its terms and hours.

The book is a plain value: the policies in the order they are tried (rank,
then name) and the calendars by name. The desk builds it from its records as
they stand now or as they stood at a past moment, the escalation view from the
configuration events it has read, and an analyst from a candidate policy file;
`applying` answers the same way for all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.business_time import ALWAYS, BusinessHours
from domain.sla_clocks import Clock
from domain.sla_timeline import Timeline

DEFAULT_PAUSE = frozenset({"pending"})


@dataclass(frozen=True)
class ClockTerms:
    """A policy's terms for one priority: targets in business minutes."""

    first_response: int | None
    update: int | None
    solution: int | None
    warn_percent: int | None
    warn_before_minutes: int | None
    pause_categories: frozenset[str]


@dataclass(frozen=True)
class PolicyRules:
    """One SLA policy: whom it applies to, and its targets per priority.

    An empty list in `queues`, `types`, `priorities` or `organizations` matches
    any value; names of queues and organizations compare case-insensitively.
    """

    name: str
    rank: int
    #: Per priority: minutes by clock name (None: the clock does not run).
    targets: Mapping[str, Mapping[str, int | None]]
    calendar: str | None = None
    warn_percent: int | None = 80
    warn_before_minutes: int | None = None
    pause_categories: frozenset[str] = DEFAULT_PAUSE
    queues: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    active: bool = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> PolicyRules:
        """The rules of a policy whose events carried these settings (and name)."""
        scope = settings.get("applies_to") or {}
        return cls(
            name=settings["name"],
            rank=settings["rank"],
            targets={p: dict(t) for p, t in settings["targets"].items()},
            calendar=settings.get("calendar"),
            warn_percent=settings.get("warn_percent"),
            warn_before_minutes=settings.get("warn_before_minutes"),
            pause_categories=frozenset(settings.get("pause_categories", ())),
            queues=frozenset(scope.get("queues", ())),
            types=frozenset(scope.get("types", ())),
            priorities=frozenset(scope.get("priorities", ())),
            organizations=frozenset(scope.get("organizations", ())),
            active=settings.get("active", True),
        )

    def matches(
        self, queue: str, type_: str, priority: str, organization: str | None
    ) -> bool:
        """Whether the policy applies to a ticket with these traits."""
        wanted = (
            (self.queues, queue.casefold(), True),
            (self.types, type_, False),
            (self.priorities, priority, False),
            (self.organizations, (organization or "").casefold(), True),
        )
        for names, value, folded in wanted:
            chosen = {n.casefold() for n in names} if folded else names
            if chosen and value not in chosen:
                return False
        return True

    def terms(self, priority: str) -> ClockTerms | None:
        """The terms for a priority; None when the policy has none for it."""
        targets = self.targets.get(priority)
        if targets is None or all(v is None for v in targets.values()):
            return None
        return ClockTerms(
            first_response=targets.get(Clock.FIRST_RESPONSE.value),
            update=targets.get(Clock.UPDATE.value),
            solution=targets.get(Clock.SOLUTION.value),
            warn_percent=self.warn_percent,
            warn_before_minutes=self.warn_before_minutes,
            pause_categories=self.pause_categories,
        )


@dataclass(frozen=True)
class Applied:
    """The policy a ticket falls under, its terms for the ticket's priority, and
    the hours its clocks count in."""

    policy: str
    terms: ClockTerms
    hours: BusinessHours


@dataclass(frozen=True)
class SlaBook:
    """The policies, tried in order, and the calendars they name."""

    policies: tuple[PolicyRules, ...] = ()
    calendars: Mapping[str, BusinessHours] = field(default_factory=dict)

    def ordered(self) -> list[PolicyRules]:
        """The active policies in the order they are tried: rank, then name."""
        active = (p for p in self.policies if p.active)
        return sorted(active, key=lambda p: (p.rank, p.name.casefold()))

    def policy_for(
        self, queue: str, type_: str, priority: str, organization: str | None
    ) -> PolicyRules | None:
        """The first active policy, by rank then name, that applies to a ticket
        with these traits."""
        for policy in self.ordered():
            if policy.matches(queue, type_, priority, organization):
                return policy
        return None

    def applying(self, timeline: Timeline) -> Applied | None:
        """The policy the ticket falls under with its terms for the ticket's
        priority; None when no policy applies or the first that does sets no
        target for the priority (the ticket then has no clocks)."""
        if timeline.queue is None or timeline.priority is None:
            return None
        policy = self.policy_for(
            timeline.queue,
            timeline.type or "",
            timeline.priority,
            timeline.organization,
        )
        terms = None if policy is None else policy.terms(timeline.priority)
        if policy is None or terms is None:
            return None
        return Applied(policy.name, terms, self.hours(policy.calendar))

    def hours(self, calendar: str | None) -> BusinessHours:
        """A calendar's hours (none named: around the clock, in UTC)."""
        if calendar is None:
            return ALWAYS
        # A calendar is looked up as its name was stored, case-insensitively.
        for name, hours in self.calendars.items():
            if name.casefold() == calendar.casefold():
                return hours
        return ALWAYS
