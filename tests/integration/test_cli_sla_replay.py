"""`tickettape replay sla` and `replay sla-whatif` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from domain.articles import Article
from domain.audit import Origin
from domain.configuration_commands import (
    DefineCalendar,
    DefineSlaPolicy,
    ReconfigureSlaPolicy,
)
from domain.desk import HelpDesk, TicketDraft
from domain.people import Agent
from domain.queues import FollowUp, Queue
from domain.sla_policies import Targets
from tests.replay.cli import store_env
from tests.unit.builders import Clock
from tickettape.cli import app

runner = CliRunner()
ADMIN = Origin("admin:test")
ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")
WINDOW = ["--from", "2024-01-01", "--to", "2024-01-02T00:00:00Z"]


@dataclass
class Store:
    """The CLI's environment, and a desk on the same store with its clock."""

    env: dict[str, str]
    desk: HelpDesk
    clock: Clock
    numbers: dict[str, str]


def at(clock: Clock, hours: int, minutes: int) -> None:
    """Move the clock to that time of 1 January 2024 (it starts at 09:00 UTC)."""
    clock.offset = timedelta(hours=hours - 9, minutes=minutes)


def open_ticket(desk: HelpDesk, queue: str = "General") -> str:
    """A normal-priority ticket bob opened; its number."""
    text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
    draft = TicketDraft(title="Printer", customer="bob@acme.test", queue=queue)
    return desk.open_ticket(draft, text, BOB).number


def reply(desk: HelpDesk, number: str) -> None:
    """Alice answers the customer."""
    text = Article(desk.new_article_id(), "agent", "public", "web", "On it")
    desk.add_article(number, text, ALICE)


@pytest.fixture
def store(cli_env: dict[str, str]) -> Iterator[Store]:
    """Policy Standard (first response in 60 minutes); on 1 January 2024 ticket A
    opened at 09:10 and answered at 09:40, B opened at 09:20 and never answered,
    C opened in Billing at 09:50 and answered at 10:00; D opened a day later."""
    made = runner.invoke(app, ["init"], env=cli_env)
    assert made.exit_code == 0, made.output
    clock = Clock()
    desk = HelpDesk(env=store_env(cli_env), clock=clock)
    try:
        desk.save_config(
            Agent.hire("alice", "Alice", "alice@x.test", ["support"], [], ADMIN)
        )
        desk.save_config(Queue.open("Billing", "support", FollowUp.REOPEN, None, ADMIN))
        normal = {"normal": Targets(60, None, 480)}
        desk.handle(DefineSlaPolicy("Standard", normal, rank=10), ADMIN)
        numbers = {}
        at(clock, 9, 10)
        numbers["A"] = open_ticket(desk)
        at(clock, 9, 20)
        numbers["B"] = open_ticket(desk)
        at(clock, 9, 40)
        reply(desk, numbers["A"])
        at(clock, 9, 50)
        numbers["C"] = open_ticket(desk, "Billing")
        at(clock, 10, 0)
        reply(desk, numbers["C"])
        at(clock, 24 + 10, 0)
        numbers["D"] = open_ticket(desk)
        yield Store(cli_env, desk, clock, numbers)
    finally:
        desk.close()


def sla_json(store: Store, ticket: str, as_of: str) -> dict[str, Any]:
    """The ticket's clocks the CLI prints as JSON."""
    number = store.numbers[ticket]
    result = runner.invoke(
        app, ["replay", "sla", number, "--as-of", as_of, "--json"], env=store.env
    )
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def first_response(report: dict[str, Any]) -> dict[str, Any]:
    """The first response clock of a report."""
    clock: dict[str, Any] = next(
        c for c in report["clocks"] if c["clock"] == "first_response"
    )
    return clock


def test_the_clocks_differ_before_and_after_the_answer(store: Store) -> None:
    before = first_response(sla_json(store, "A", "2024-01-01T09:30:00Z"))
    after = first_response(sla_json(store, "A", "2024-01-01T10:40:00+01:00"))

    assert (before["state"], before["used_minutes"], before["left_minutes"]) == (
        "running",
        20,
        40,
    )
    assert before["due_at"] == "2024-01-01T10:10:00Z"
    assert (after["state"], after["met_at"]) == ("met", "2024-01-01T09:40:00Z")
    assert after["used_minutes"] == 30


def test_a_policy_change_after_the_moment_changes_nothing_then(store: Store) -> None:
    then = "2024-01-01T10:00:00Z"
    before = sla_json(store, "B", then)
    store.clock.advance(timedelta(days=1))
    store.desk.handle(
        ReconfigureSlaPolicy("Standard", targets={"normal": Targets(10, None, 480)}),
        ADMIN,
    )

    assert sla_json(store, "B", then) == before
    assert before["policy"] == "Standard"
    assert first_response(before)["target_minutes"] == 60
    now = runner.invoke(
        app, ["replay", "sla", store.numbers["B"], "--json"], env=store.env
    )
    assert now.exit_code == 0, now.output
    assert first_response(json.loads(now.stdout))["target_minutes"] == 10


def test_the_table_names_the_policy_and_each_clock(store: Store) -> None:
    result = runner.invoke(
        app,
        ["replay", "sla", store.numbers["A"], "--as-of", "2024-01-01T12:00:00Z"],
        env={**store.env, "COLUMNS": "200"},
    )

    assert result.exit_code == 0, result.output
    assert "policy Standard" in result.output
    rows = result.output.splitlines()
    first = next(line for line in rows if "first_response" in line)
    assert "met 2024-01-01T09:40:00+00:00" in first
    # The answer put the ticket in a pending status: 09:10 to 09:40 counted.
    solution = next(line for line in rows if "solution" in line)
    cells = [cell.strip() for cell in solution.split("│")[1:-1]]
    assert cells == ["solution", "paused", "-", "-", "30", "450", "0"]


@pytest.mark.parametrize(
    ("ticket", "as_of", "code", "said"),
    [
        ("A", "2024-01-01T09:05:00Z", 1, "did not exist yet"),
        ("nope", "2024-01-01T12:00:00Z", 1, "ticket nope not found"),
        ("A", "2024-01-01T12:00:00", 2, "--as-of"),
    ],
)
def test_a_moment_before_the_ticket_an_unknown_one_or_no_zone_is_an_error(
    store: Store, ticket: str, as_of: str, code: int, said: str
) -> None:
    number = store.numbers.get(ticket, ticket)
    result = runner.invoke(
        app, ["replay", "sla", number, "--as-of", as_of], env=store.env
    )

    assert result.exit_code == code
    assert said in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)


def candidate(tmp_path: Path, document: dict[str, Any], name: str = "c.json") -> str:
    """A candidate policy file with this content; its path."""
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def policy(first_response: int, **more: Any) -> dict[str, Any]:
    """A candidate policy body: a first response target for normal tickets."""
    return {
        "name": "Candidate",
        "rank": 1,
        "targets": {"normal": {"first_response": first_response}},
        **more,
    }


def whatif(store: Store, path: str, *more: str) -> Any:
    """Run `replay sla-whatif` on the window of 1 January 2024."""
    return runner.invoke(
        app,
        ["replay", "sla-whatif", "--policy", path, *WINDOW, *more],
        env={**store.env, "COLUMNS": "200"},
    )


def test_a_tight_policy_breaches_the_slow_tickets(store: Store, tmp_path: Path) -> None:
    path = candidate(tmp_path, {"policies": [policy(15)]})

    result = whatif(store, path, "--format", "json")

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    a, b = store.numbers["A"], store.numbers["B"]
    assert [t["number"] for t in found["tickets"]] == [a, b]
    first = found["tickets"][0]
    assert (first["queue"], first["priority"], first["policy"]) == (
        "General",
        "normal",
        "Candidate",
    )
    assert first["breached"][0]["clock"] == "first_response"
    assert first["breached"][0]["breached_at"] == "2024-01-01T09:25:00Z"
    assert found["window"]["read_at"] == "2024-01-02T00:00:00Z"
    assert found["totals"] == [
        {
            "queue": "Billing",
            "priority": "normal",
            "tickets": 1,
            "breached": {"first_response": 0, "update": 0, "solution": 0},
        },
        {
            "queue": "General",
            "priority": "normal",
            "tickets": 2,
            "breached": {"first_response": 2, "update": 0, "solution": 0},
        },
    ]


def test_csv_rows_go_to_the_file_and_the_totals_to_stderr(
    store: Store, tmp_path: Path
) -> None:
    path = candidate(tmp_path, {"policies": [policy(15)]})
    written = tmp_path / "breaches.csv"

    result = whatif(store, path, "--out", str(written))

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(written.read_text().splitlines()))
    assert rows[0] == [
        "number",
        "queue",
        "priority",
        "policy",
        "clock",
        "due_at",
        "breached_at",
    ]
    assert [(r[0], r[4]) for r in rows[1:]] == [
        (store.numbers["A"], "first_response"),
        (store.numbers["B"], "first_response"),
    ]
    assert "3 tickets created in" in result.stderr
    general = next(line for line in result.stderr.splitlines() if "General" in line)
    cells = [cell.strip() for cell in general.split("│")[1:-1]]
    assert cells == ["General", "normal", "2", "2", "0", "0"]


def test_a_loose_policy_breaches_nothing(store: Store, tmp_path: Path) -> None:
    path = candidate(tmp_path, {"policies": [policy(2000, calendar=None)]})

    result = whatif(store, path)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "number,queue,priority,policy,clock,due_at,breached_at"
    ]


def test_a_calendar_in_the_file_is_the_one_counted_in(
    store: Store, tmp_path: Path
) -> None:
    # Open 09:00 to 09:25 on Mondays: B (09:20) uses 5 minutes, A 15 by 09:25.
    short = {"name": "Short", "hours": {"monday": ["09:00-09:25"]}}
    document = {"policies": [policy(15, calendar="short")], "calendars": [short]}

    result = whatif(store, candidate(tmp_path, document), "--format", "json")

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [t["number"] for t in found["tickets"]] == [store.numbers["A"]]


def test_nothing_is_written_to_the_store(store: Store, tmp_path: Path) -> None:
    before = store.desk.recorder.max_notification_id()
    document = {
        "policies": [policy(15, calendar="Short")],
        "calendars": [{"name": "Short", "hours": "24/7"}],
    }

    result = whatif(store, candidate(tmp_path, document))

    assert result.exit_code == 0, result.output
    assert store.desk.recorder.max_notification_id() == before
    assert [c.name for c in store.desk.sla_policies()] == ["Standard"]


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ("{not json", "Invalid JSON"),
        ({"policies": []}, "policies: List should have at least 1 item"),
        ({"policies": [policy(0)]}, "policies.0.targets.normal.first_response"),
        ({"policies": [policy(15, colour="red")]}, "policies.0.colour"),
        (
            {"policies": [{**policy(15), "targets": {"urgent": {"update": 5}}}]},
            "policy 'Candidate': unknown priority 'urgent'",
        ),
        (
            {"policies": [policy(15, calendar="Nowhere")]},
            "unknown calendar",
        ),
        (
            {"policies": [policy(15, applies_to={"queues": ["Sales"]})]},
            "unknown queue 'Sales'",
        ),
        (
            {
                "policies": [policy(15)],
                "calendars": [{"name": "X", "time_zone": "Mars/Base"}],
            },
            "calendar 'X'",
        ),
        ({"policies": [policy(15), policy(20)]}, "'Candidate' is in the file twice"),
    ],
)
def test_a_bad_file_is_named_and_refused(
    store: Store, tmp_path: Path, document: Any, said: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))

    result = whatif(store, str(path))

    assert result.exit_code == 1, result.output
    assert said in " ".join(result.stderr.split())
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("window", "code", "said"),
    [
        (["--from", "2024-01-02", "--to", "2024-01-01"], 1, "start before it ends"),
        (["--from", "2024-01-01", "--to", "2024-01-02T10:00:00"], 2, "--to"),
        (["--from", "yesterday", "--to", "2024-01-02"], 2, "--from"),
    ],
)
def test_a_bad_window_is_an_error(
    store: Store, tmp_path: Path, window: list[str], code: int, said: str
) -> None:
    path = candidate(tmp_path, {"policies": [policy(15)]})

    result = runner.invoke(
        app, ["replay", "sla-whatif", "--policy", path, *window], env=store.env
    )

    assert result.exit_code == code, result.output
    assert said in " ".join(result.output.split())


def test_the_readme_candidate_is_accepted(store: Store, tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("cat > candidate.json <<'EOF'\n")
    body = readme[start:].split("\n", 1)[1].split("\nEOF\n", 1)[0]
    store.desk.handle(DefineCalendar("Berlin office", "Europe/Berlin"), ADMIN)

    result = whatif(store, candidate(tmp_path, json.loads(body)), "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tickets"] == []


def test_compare_counts_the_current_policies_beside(
    store: Store, tmp_path: Path
) -> None:
    path = candidate(tmp_path, {"policies": [policy(15)]})

    result = whatif(store, path, "--format", "json", "--compare")

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    # Standard: A and C were answered in time, then waited on the customer; B
    # was never answered, and its 480 solution minutes ran out at 17:20.
    assert [(t["number"], t["breached_current"]) for t in found["tickets"]] == [
        (store.numbers["A"], []),
        (store.numbers["B"], ["first_response", "solution"]),
    ]
    general = found["totals"][1]
    assert general["breached"] == {"first_response": 2, "update": 0, "solution": 0}
    assert general["breached_current"] == {
        "first_response": 1,
        "update": 0,
        "solution": 1,
    }
    plain = json.loads(whatif(store, path, "--format", "json").stdout)
    assert "breached_current" not in plain["totals"][1]
    on_stderr = whatif(store, path, "--compare").stderr.splitlines()
    row = next(line for line in on_stderr if "General" in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells == ["General", "normal", "2", "2 (1)", "0 (0)", "0 (1)"]
