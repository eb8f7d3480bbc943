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
    assert {t["key"] for t in report["targets"]} >= {"append", "zoom", "http_create"}
    assert report["machine"]["cpu_count"] >= 1
    assert report["machine"]["packages"]["eventsourcing"]
