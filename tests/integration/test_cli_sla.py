"""`tickettape sla calendars` and `sla policies` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from domain.audit import Origin
from domain.configuration_commands import DefineCalendar, DefineSlaPolicy
from domain.desk import HelpDesk
from domain.sla_policies import PolicyScope, Targets
from tickettape.cli import app
from tickettape.settings import Settings
from tickettape.stores import event_store_env

runner = CliRunner()
# Wide enough that no cell of the tables wraps.
WIDE = {"COLUMNS": "200"}
ADMIN = Origin("admin:test")
OFFICE = (("09:00-12:00", "13:00-17:00"), ("09:00-17:00",), (), (), (), (), ())


def configure(env: dict[str, str]) -> None:
    """Initialize the store, then define two calendars and three policies."""
    made = runner.invoke(app, ["init"], env=env)
    assert made.exit_code == 0, made.output
    settings = Settings(
        data_dir=Path(env["TICKETTAPE_DATA_DIR"]),
        database_url=env["TICKETTAPE_DATABASE_URL"],
    )
    desk = HelpDesk(env=event_store_env(settings))
    try:
        desk.handle(
            DefineCalendar(
                "Berlin office",
                "Europe/Berlin",
                OFFICE,
                (date(2026, 12, 25), date(2026, 12, 26)),
                "DE-BY",
            ),
            ADMIN,
        )
        desk.handle(DefineCalendar("Always"), ADMIN)
        high = {"high": Targets(60, None, 1440)}
        desk.handle(
            DefineSlaPolicy(
                "Office hours",
                high,
                rank=20,
                calendar="Berlin office",
                warn_percent=None,
                warn_before_minutes=30,
                applies_to=PolicyScope(queues=("General",)),
            ),
            ADMIN,
        )
        desk.handle(DefineSlaPolicy("Fallback", high, rank=90), ADMIN)
        desk.handle(DefineSlaPolicy("Urgent", high, rank=5, active=False), ADMIN)
    finally:
        desk.close()


def test_sla_calendars_lists_every_calendar(cli_env: dict[str, str]) -> None:
    configure(cli_env)

    listed = runner.invoke(app, ["sla", "calendars"], env={**cli_env, **WIDE})

    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    berlin = next(line for line in lines if "Berlin office" in line)
    assert "Europe/Berlin" in berlin
    assert "Mon 09:00-12:00, 13:00-17:00" in berlin
    assert "2 (DE-BY)" in berlin
    assert "Tue 09:00-17:00" in listed.output
    always = next(line for line in lines if "Always" in line)
    assert "24/7" in always
    assert "UTC" in always


def test_sla_policies_lists_them_in_the_order_they_are_tried(
    cli_env: dict[str, str],
) -> None:
    configure(cli_env)

    listed = runner.invoke(app, ["sla", "policies"], env={**cli_env, **WIDE})

    assert listed.exit_code == 0, listed.output
    names = ["Urgent", "Office hours", "Fallback"]
    rows = [
        next(line for line in listed.output.splitlines() if name in line)
        for name in names
    ]
    positions = [listed.output.index(row) for row in rows]
    assert positions == sorted(positions)
    urgent, office, fallback = rows
    assert "high: 60 / - / 1440" in office
    assert "30 min before" in office
    assert "Berlin office" in office
    assert "queues: General" in office
    assert "24/7 UTC" in fallback
    assert "at 80%" in fallback
    assert "any ticket" in fallback
    assert urgent.rstrip().rstrip("│").rstrip().endswith("no")


def test_the_lists_as_json(cli_env: dict[str, str]) -> None:
    configure(cli_env)

    calendars = runner.invoke(app, ["sla", "calendars", "--json"], env=cli_env)
    policies = runner.invoke(app, ["sla", "policies", "--json"], env=cli_env)

    assert calendars.exit_code == 0, calendars.output
    assert [c["name"] for c in json.loads(calendars.output)] == [
        "Berlin office",
        "Always",
    ]
    first = json.loads(calendars.output)[0]
    assert first["hours"]["monday"] == ["09:00-12:00", "13:00-17:00"]
    assert first["holidays"] == ["2026-12-25", "2026-12-26"]
    assert policies.exit_code == 0, policies.output
    listed = json.loads(policies.output)
    assert [p["name"] for p in listed] == ["Urgent", "Office hours", "Fallback"]
    assert listed[1]["targets"]["high"] == {
        "first_response": 60,
        "update": None,
        "solution": 1440,
    }


def test_an_empty_desk_lists_no_calendars_or_policies(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["init"], env=cli_env)
    for what in ("calendars", "policies"):
        listed = runner.invoke(app, ["sla", what, "--json"], env=cli_env)
        assert listed.exit_code == 0, listed.output
        assert json.loads(listed.output) == []
