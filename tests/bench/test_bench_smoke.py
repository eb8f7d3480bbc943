"""The benchmark harness runs end to end (tiny counts, SQLite); no timing checks."""

from __future__ import annotations

import json
from pathlib import Path

from bench.run import main
from bench.scenarios import SCENARIOS


def test_tiny_run_writes_every_scenario_and_ratio(tmp_path: Path) -> None:
    """Each existing scenario has rows with ratios; the others say 'not yet'."""
    code = main(["--tiny", "--stores", "sqlite", "--out", str(tmp_path)])

    assert code == 0
    report = json.loads((tmp_path / "latest.json").read_text())
    table = (tmp_path / "latest.md").read_text()
    rows = report["comparisons"]
    for scenario in SCENARIOS:
        mine = [row for row in rows if row["scenario"] == scenario.key]
        if scenario.run is None:
            assert mine == []
            assert scenario.key in {row["key"] for row in report["not_yet"]}
            assert f"| {scenario.number} | {scenario.title} | - | not yet" in table
        else:
            assert mine, scenario.key
            assert all(row["ratio"] > 0 for row in mine)
            assert all(row["ours"]["samples"] > 0 for row in mine)
            assert all(row["baseline"]["samples"] > 0 for row in mine)
    names = {row["name"] for row in rows}
    assert any("8 writers" in name for name in names)
    assert any("no snapshots" in name for name in names)
    assert any(name.startswith("search two words, agent") for name in names)
    assert {"HTTP create-ticket, 1 worker(s)", "HTTP add-article, 1 worker(s)"} <= names
    assert {name.split(",")[0] for name in names} >= {
        "rebuild ticket_summary",
        "rebuild search_index",
        "verify",
        "export",
    }
    # The ceilings: the desk on no database, decoding alone, the hashes alone.
    for ceiling in ("desk on no database", "decoding alone", "five hashes alone"):
        row = next(row for row in rows if ceiling in row["name"])
        assert row["target"] is None
        assert row["notes"]["ours_is"]
    assert any(name.startswith("tallies by owner, admin") for name in names)
    assert any(name.startswith("worker tick's view side") for name in names)
    assert any(name.startswith("clock evaluation of") for name in names)
    assert any(name.startswith("worker tick on") for name in names)
    assert {t["key"] for t in report["targets"]} >= {
        "append",
        "zoom",
        "http_create",
        "sla_reads",
        "sla_tick",
    }
    assert report["machine"]["cpu_count"] >= 1
    assert report["machine"]["packages"]["eventsourcing"]


def test_tiny_sla_run_ticks_and_evaluates_clocks(tmp_path: Path) -> None:
    """The SLA scenario alone: the tick found due clocks, the evaluation read some."""
    code = main(
        ["--tiny", "--stores", "sqlite", "--scenarios", "sla", "--out", str(tmp_path)]
    )

    assert code == 0
    rows = json.loads((tmp_path / "latest.json").read_text())["comparisons"]
    assert {row["scenario"] for row in rows} == {"sla"}
    evaluation = next(r for r in rows if r["name"].startswith("clock evaluation"))
    assert evaluation["notes"]["clocks"] > 0
    tick = next(row for row in rows if row["name"].startswith("worker tick on"))
    assert sum(tick["notes"]["asked_per_tick"]) > 0
    # Every tick, before and after the log grew, had tickets to ask.
    per_ticket = next(r for r in rows if r["name"].startswith("worker tick per"))
    assert all(asked > 0 for asked in per_ticket["notes"]["asked_per_tick"])
    assert per_ticket["ratio"] > 0
    # Ten reads and the tick's view side, each at the larger size.
    scale = [row for row in rows if "clock_rows" in row["notes"]]
    assert len(scale) == 11
    assert all(row["notes"]["clock_rows"] > 0 for row in scale)
