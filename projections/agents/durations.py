"""The dashboard's durations: kept one row each, and counted in day histograms.

Every first response and resolution keeps its raw row (ticket, agent, moment,
duration: the audit trail of each figure) and is counted in two histograms of
its UTC day and credited agent: by octave (durations within one doubling) and
by bucket (an octave cut into PER_OCTAVE equal ratios of 2 ** (1 / PER_OCTAVE)). A
period reads the histograms for the whole days inside it and the raw rows for
the partial days at its edges, so a read touches a number of rows set by the
period's length, the agents and the buckets, never by the store's size:

- Counts are exact: octave rows plus the edges' raw rows.
- A median over at most EXACT_UP_TO durations is exact, from the raw rows.
- Beyond that it is the geometric middle of the bucket holding the middle
  duration (of each of the middle two, averaged), found from the octave counts
  and then only that octave's bucket rows: within +/-2% (2 ** (1 / 36) - 1 =
  1.94%) of the exact median.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from projections.engine.counters import bump
from projections.engine.store import ViewCursor
from projections.engine.values import NOBODY
from projections.engine.view import PerStore, Template

#: Buckets per octave: each spans a ratio of 2 ** (1 / 18) = 1.039.
PER_OCTAVE = 18
#: The most durations a key's median is computed from exactly.
EXACT_UP_TO = 1000
#: The key of the desk's own figures among the agents' (no login has a '*').
OVERALL = "*"
DAY_US = 86_400_000_000

OCTAVES_TABLE = (
    "CREATE TABLE IF NOT EXISTS {dashboard_duration_octaves} ("
    "kind TEXT NOT NULL, day INTEGER NOT NULL, agent TEXT NOT NULL, "
    "octave INTEGER NOT NULL, durations INTEGER NOT NULL, "
    "PRIMARY KEY (kind, day, agent, octave))"
)
# Keyed by octave before day: a median reads one octave's buckets of a run of
# days as one index range.
BUCKETS_TABLE = (
    "CREATE TABLE IF NOT EXISTS {dashboard_duration_buckets} ("
    "kind TEXT NOT NULL, agent TEXT NOT NULL, octave INTEGER NOT NULL, "
    "day INTEGER NOT NULL, bucket INTEGER NOT NULL, durations INTEGER NOT NULL, "
    "PRIMARY KEY (kind, agent, octave, day, bucket))"
)
#: Clustered on their key in SQLite (WITHOUT ROWID): a read's index range then
#: holds the counts themselves, with no lookup per row.
TABLES: dict[str, Template] = {
    "dashboard_duration_octaves": PerStore(
        OCTAVES_TABLE + " WITHOUT ROWID", OCTAVES_TABLE
    ),
    "dashboard_duration_buckets": PerStore(
        BUCKETS_TABLE + " WITHOUT ROWID", BUCKETS_TABLE
    ),
}
OCTAVES, BUCKETS = (f"view_{table}" for table in TABLES)

#: Per agent (or OVERALL), how many durations and their median in seconds.
Medians = dict[str, tuple[int, float]]
#: Start and end (exclusive) of a stretch of time, in microseconds.
Span = tuple[int, int]


def bucket(duration_us: int) -> int:
    """The histogram bucket of a duration; anything up to 1 us falls in bucket 0."""
    return math.floor(math.log2(duration_us) * PER_OCTAVE) if duration_us > 1 else 0


def count_duration(
    cursor: ViewCursor,
    tables: Mapping[str, str],
    kind: str,
    agent: str | None,
    moment_us: int,
    step: int,
) -> None:
    """Count one duration, already in bucket `step`, in its day's histograms."""
    day, octave, who = moment_us // DAY_US, step // PER_OCTAVE, agent or NOBODY
    keys = {"kind": kind, "day": day, "agent": who, "octave": octave}
    bump(cursor, tables["dashboard_duration_octaves"], keys, 1, "durations")
    bump(
        cursor,
        tables["dashboard_duration_buckets"],
        {**keys, "bucket": step},
        1,
        "durations",
    )


@dataclass(frozen=True)
class Durations:
    """One kind of duration: its histogram key and its raw rows' table and moment."""

    kind: str
    table: str
    moment: str


@dataclass(frozen=True)
class Period:
    """A period [start, end) in microseconds, cut into the whole UTC days inside it
    (if any) and the partial days around them."""

    start: int
    end: int
    days: Span | None
    edges: list[Span]

    @classmethod
    def of(cls, start: int, end: int) -> Period:
        """The cut of [start, end)."""
        first, last = -(-start // DAY_US), end // DAY_US
        if first >= last:
            return cls(start, end, None, [(start, end)])
        edges = ((start, first * DAY_US), (last * DAY_US, end))
        return cls(start, end, (first, last), [(s, e) for s, e in edges if s < e])


def medians(
    rows: ViewCursor,
    durations: Durations,
    period: Period,
    wanted: Sequence[str],
    exact_up_to: int = EXACT_UP_TO,
) -> Medians:
    """Count and median of the wanted agents (and OVERALL) with any durations."""
    reading = _Reading(rows, durations, period)
    octaves = reading.octave_counts()
    everyone = sorted(octaves)
    octaves[OVERALL] = sum(octaves.values(), Counter())
    found: Medians = {}
    for key in [*wanted, OVERALL]:
        total = octaves[key].total() if key in octaves else 0
        if not total:
            continue
        if total <= exact_up_to:
            middle = reading.exact(key, total)
        else:
            agents = everyone if key == OVERALL else [key]
            middle = reading.estimate(key, agents, octaves[key])
        found[key] = (total, middle / 1e6)
    return found


@dataclass(frozen=True)
class _Reading:
    """One kind of duration over one period, read in one transaction."""

    rows: ViewCursor
    durations: Durations
    period: Period

    def octave_counts(self) -> dict[str, Counter[int]]:
        """Per agent (NOBODY included), the period's durations by octave."""
        found: dict[str, Counter[int]] = {}
        if self.period.days:
            self.rows.execute(
                f"SELECT agent, octave, SUM(durations) FROM {OCTAVES} "
                "WHERE kind = ? AND day >= ? AND day < ? GROUP BY agent, octave",
                (self.durations.kind, *self.period.days),
            )
            for agent, octave, count in self.rows.fetchall():
                found.setdefault(agent, Counter())[int(octave)] += int(count)
        for span in self.period.edges:
            octave = f"bucket / {PER_OCTAVE}"
            self.rows.execute(
                f"SELECT agent, {octave}, COUNT(*) FROM {self.durations.table} "
                f"WHERE {self._during()} GROUP BY agent, {octave}",
                span,
            )
            for agent, octave, count in self.rows.fetchall():
                found.setdefault(agent or NOBODY, Counter())[int(octave)] += int(count)
        return found

    def exact(self, key: str, total: int) -> float:
        """The median of a few durations, from their raw rows."""
        one, agent = self._whose(key)
        self.rows.execute(
            f"SELECT duration_us FROM {self.durations.table} "
            f"WHERE {one}{self._during()} ORDER BY duration_us LIMIT 2 OFFSET ?",
            (*agent, self.period.start, self.period.end, (total - 1) // 2),
        )
        middle = [int(duration) for (duration,) in self.rows.fetchall()]
        return float(middle[0]) if total % 2 else sum(middle) / 2

    def estimate(self, key: str, agents: Sequence[str], octaves: Counter[int]) -> float:
        """The median of many durations, from the buckets of the middle ones' octaves.

        Each middle duration is taken as its bucket's geometric middle.
        """
        total = octaves.total()
        buckets: dict[int, Counter[int]] = {}
        values = []
        for rank in ((total - 1) // 2, total // 2):
            octave, below = _find(octaves, rank)
            if octave not in buckets:
                buckets[octave] = self.bucket_counts(key, agents, octave)
            step, _ = _find(buckets[octave], rank - below)
            values.append(2 ** ((step + 0.5) / PER_OCTAVE))
        return sum(values) / 2

    def bucket_counts(
        self, key: str, agents: Sequence[str], octave: int
    ) -> Counter[int]:
        """The durations of a key (its agents' histograms) in one octave, by bucket."""
        found: Counter[int] = Counter()
        if self.period.days:
            marks = ", ".join("?" for _ in agents)
            self.rows.execute(
                f"SELECT bucket, SUM(durations) FROM {BUCKETS} WHERE kind = ? "
                f"AND agent IN ({marks}) AND octave = ? AND day >= ? AND day < ? "
                "GROUP BY bucket",
                (self.durations.kind, *agents, octave, *self.period.days),
            )
            found.update({int(step): int(n) for step, n in self.rows.fetchall()})
        one, agent = self._whose(key)
        for span in self.period.edges:
            self.rows.execute(
                f"SELECT bucket, COUNT(*) FROM {self.durations.table} "
                f"WHERE {one}{self._during()} AND bucket >= ? AND bucket < ? "
                "GROUP BY bucket",
                (*agent, *span, octave * PER_OCTAVE, (octave + 1) * PER_OCTAVE),
            )
            found.update({int(step): int(n) for step, n in self.rows.fetchall()})
        return found

    def _during(self) -> str:
        moment = self.durations.moment
        return f"{moment} >= ? AND {moment} < ?"

    @staticmethod
    def _whose(key: str) -> tuple[str, tuple[str, ...]]:
        """The raw rows' condition for a key (OVERALL: everyone's) and its value."""
        return ("", ()) if key == OVERALL else ("agent = ? AND ", (key,))


def _find(counts: Counter[int], rank: int) -> tuple[int, int]:
    """The key of the rank-th (from 0) counted item, in key order, and how many
    come before that key."""
    below = 0
    for key in sorted(counts):
        if rank < below + counts[key]:
            return key, below
        below += counts[key]
    raise ValueError(f"rank {rank} beyond the {below} counted")
