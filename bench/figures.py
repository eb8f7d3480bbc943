"""What a scenario measures: figures, the comparison with a baseline, targets."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Measure = Literal["rate", "p50"]


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of the samples (fraction in 0..1)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Figure:
    """A rate (per second, where throughput counts) and latencies in milliseconds."""

    unit: str
    rate: float
    p50_ms: float
    p99_ms: float
    samples: int
    errors: int = 0

    @classmethod
    def of(
        cls,
        unit: str,
        latencies_s: Sequence[float],
        rates: Sequence[float],
        errors: int = 0,
    ) -> Figure:
        """The median of per-round rates and the percentiles of every latency."""
        return cls(
            unit=unit,
            rate=statistics.median(rates) if rates else float("nan"),
            p50_ms=percentile(latencies_s, 0.50) * 1000,
            p99_ms=percentile(latencies_s, 0.99) * 1000,
            samples=len(latencies_s),
            errors=errors,
        )

    def describe(self, measure: Measure) -> str:
        """The headline figure for the table."""
        latency = f"p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms"
        flaw = f", {self.errors} errors" if self.errors else ""
        if measure == "rate":
            return f"{self.rate:,.0f} {self.unit} ({latency}{flaw})"
        return f"{latency}{flaw}"


@dataclass(frozen=True)
class Target:
    """A goal from issue 6: a bound on the ratio, or on our absolute figures."""

    key: str
    text: str
    min_ratio: float | None = None
    max_ratio: float | None = None
    min_rate: float | None = None
    max_p99_ms: float | None = None

    def met_by(self, ratio: float, ours: Figure) -> bool:
        """Whether a comparison reaches this target."""
        checks = [
            self.min_ratio is None or ratio >= self.min_ratio,
            self.max_ratio is None or ratio <= self.max_ratio,
            self.min_rate is None or ours.rate >= self.min_rate,
            self.max_p99_ms is None or ours.p99_ms <= self.max_p99_ms,
            ours.errors == 0,
        ]
        return all(checks)


@dataclass(frozen=True)
class Comparison:
    """Our figure beside its baseline from the same run."""

    scenario: str
    store: str
    name: str
    ours: Figure
    baseline: Figure
    baseline_name: str
    measure: Measure
    target: Target | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """ours / baseline: of rates (higher is better) or of median latencies."""
        if self.measure == "rate":
            return self.ours.rate / self.baseline.rate if self.baseline.rate else 0.0
        return self.ours.p50_ms / self.baseline.p50_ms if self.baseline.p50_ms else 0.0

    @property
    def met(self) -> bool | None:
        """Whether the target is reached; None when this row has no target."""
        return (
            None if self.target is None else self.target.met_by(self.ratio, self.ours)
        )

    def as_json(self) -> dict[str, Any]:
        """Everything about the comparison, for latest.json."""
        return {
            "scenario": self.scenario,
            "store": self.store,
            "name": self.name,
            "measure": self.measure,
            "ours": asdict(self.ours),
            "baseline_name": self.baseline_name,
            "baseline": asdict(self.baseline),
            "ratio": self.ratio,
            "target": self.target.key if self.target else None,
            "met": self.met,
            "notes": self.notes,
        }
