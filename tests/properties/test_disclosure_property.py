"""No command sequence through the API tells a customer what the policy withholds.

Agents, admins and a customer work tickets through HTTP: internal notes, time
spent and accounted, status reasons, custom fields, scheduled tasks, hidden
tickets, tickets of another organization, links and merges to them. Then the
customer (and a colleague of the same organization) reads every endpoint a
customer may use:
no withheld value appears in any response, and the public values do.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.services import Services
from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk
from domain.fields import FieldDefinition
from domain.people import Agent, Customer, Organization
from projections.activity.projection import ActivityFeed
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from projections.search.index import SearchIndex
from projections.tickets.summary import TicketSummary
from tests.e2e.memory_desk import MemoryBlobs

ADMIN = Origin("admin:test")
TICKETS = "/api/v1/tickets"
CUSTOMERS = ("bob", "dave")
STATUSES = ("open", "waiting_for_customer", "resolved", "closed")


@dataclass
class World:
    """The tickets made so far, what the customers may be told and what never."""

    api: TestClient
    auth: dict[str, dict[str, str]]
    visible: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    public: dict[str, list[str]] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    minutes: list[int] = field(default_factory=list)
    #: Tickets of bob's that staff hid, with the public words they had.
    hidden: dict[str, list[str]] = field(default_factory=dict)
    #: The tasks scheduled: their ticket and id.
    tasks: list[tuple[str, str]] = field(default_factory=list)

    def secret(self, kind: str) -> str:
        """A new word no customer may ever read."""
        word = f"secret{kind}{len(self.secrets)}x"
        self.secrets.append(word)
        return word

    def spent(self) -> int:
        """A new, distinctive number of minutes no customer may ever read."""
        self.minutes.append(9001 + len(self.minutes) * 7)
        return self.minutes[-1]

    def write(self, who: str, method: str, path: str, body: Any) -> Any:
        """A write as a caller; refusals (4xx) are fine, errors are not."""
        response = self.api.request(method, path, json=body, headers=self.auth[who])
        assert response.status_code < 500, response.text
        return response.json() if response.status_code < 300 else None

    def open(self, who: str, title: str, **extra: Any) -> str | None:
        """A new ticket; its number if it was opened."""
        body = {"title": title, "article": {"body": "Help me please."}, **extra}
        made = self.write(who, "POST", TICKETS, body)
        return None if made is None else str(made["number"])


def pick(items: list[str], i: int) -> str:
    """An item chosen by i; IndexError when there is none."""
    if not items:
        raise IndexError("nothing to pick from")
    return items[i % len(items)]


def open_public(w: World, i: int) -> None:
    # Counted over hidden tickets too: a title is never reused.
    title = f"publictitle{len(w.visible) + len(w.hidden)}y"
    number = w.open("bob", f"Printer {title}")
    if number is not None:
        w.visible.append(number)
        w.public[number] = [title]


def open_withheld(w: World, i: int) -> None:
    """A hidden ticket of bob's, or erin's of no organization: not bob's to see."""
    customer = {"customer": "bob@acme.test", "hidden": True} if i % 2 else {}
    customer = customer or {"customer": "erin@example.com"}
    number = w.open("alice", f"Other {w.secret('title')}", **customer)
    if number is not None:
        w.withheld.append(number)
        w.secrets.append(number)


def reply(w: World, i: int) -> None:
    number = pick(w.visible, i)
    body = f"publicreply{len(w.public[number])}of{number}y"
    article = {"body": body, "time_spent_minutes": w.spent()}
    if w.write("alice", "POST", f"{TICKETS}/{number}/articles", article):
        w.public[number].append(body)


def customer_reply(w: World, i: int) -> None:
    number = pick(w.visible, i)
    body = f"customerreply{len(w.public[number])}of{number}y"
    if w.write("bob", "POST", f"{TICKETS}/{number}/articles", {"body": body}):
        w.public[number].append(body)


def internal_note(w: World, i: int) -> None:
    body, minutes = w.secret("note"), w.spent()
    note = {"body": body, "visibility": "internal", "time_spent_minutes": minutes}
    w.write("alice", "POST", f"{TICKETS}/{pick(w.visible, i)}/articles", note)


def account_time(w: World, i: int) -> None:
    entry = {"minutes": w.spent(), "activity": w.secret("activity")}
    w.write("alice", "POST", f"{TICKETS}/{pick(w.visible, i)}/time", entry)


def schedule_task(w: World, i: int) -> None:
    """A task with a secret title; its id is a secret too."""
    due_at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"title": w.secret("task"), "assignee": "alice", "due_at": due_at}
    made = w.write("alice", "POST", f"{TICKETS}/{pick(w.visible, i)}/tasks", body)
    if made is not None:
        w.secrets.append(made["task_id"])
        w.tasks.append((made["number"], made["task_id"]))


def complete_task(w: World, i: int) -> None:
    if not w.tasks:
        raise IndexError("no task to complete")
    number, task_id = w.tasks[i % len(w.tasks)]
    w.write("admin", "POST", f"{TICKETS}/{number}/tasks/{task_id}/done", None)


def change_status(w: World, i: int) -> None:
    change = {"status": STATUSES[i % len(STATUSES)], "reason": w.secret("reason")}
    w.write("alice", "POST", f"{TICKETS}/{pick(w.visible, i)}/status", change)


def set_field(w: World, i: int) -> None:
    value = {"value": w.secret("field")}
    w.write("alice", "PUT", f"{TICKETS}/{pick(w.visible, i)}/fields/serial", value)


def link(w: World, i: int) -> None:
    other = {"number": pick(w.withheld, i), "kind": ("related", "parent")[i % 2]}
    w.write("admin", "POST", f"{TICKETS}/{pick(w.visible, i)}/links", other)


def merge(w: World, i: int) -> None:
    """Merge one way or the other between a visible and a withheld ticket."""
    pair = [pick(w.visible, i), pick(w.withheld, i)]
    source, target = pair if i % 2 else pair[::-1]
    w.write("admin", "POST", f"{TICKETS}/{source}/merge", {"target": target})


def hide(w: World, i: int) -> None:
    """Hide one of bob's tickets: all it said is then withheld from him."""
    number = pick(w.visible, i)
    if w.write("alice", "POST", f"{TICKETS}/{number}/hide", None):
        w.visible.remove(number)
        w.hidden[number] = w.public.pop(number)


def unhide(w: World, i: int) -> None:
    number = pick(list(w.hidden), i)
    if w.write("alice", "POST", f"{TICKETS}/{number}/unhide", None):
        w.visible.append(number)
        w.public[number] = w.hidden.pop(number)


def close(w: World, i: int) -> None:
    w.write("bob", "POST", f"{TICKETS}/{pick(w.visible, i)}/close", None)


COMMANDS: dict[str, Callable[[World, int], None]] = {
    "hide": hide,
    "unhide": unhide,
    "close": close,
    "open": open_public,
    "open withheld": open_withheld,
    "reply": reply,
    "customer reply": customer_reply,
    "internal note": internal_note,
    "time": account_time,
    "task": schedule_task,
    "task done": complete_task,
    "status": change_status,
    "field": set_field,
    "link": link,
    "merge": merge,
}


def disclosure_desk() -> tuple[HelpDesk, dict[str, dict[str, str]]]:
    """A desk with alice, a field `serial`, bob and dave of ACME, erin; tokens."""
    desk = HelpDesk()
    desk.initialize()
    desk.save_config(Agent.hire("alice", "Alice", "a@x.test", ["support"], [], ADMIN))
    desk.save_config(Organization.register("ACME", ["acme.test"], ADMIN))
    desk.save_config(FieldDefinition.define("serial", "Serial", "text", [], ADMIN))
    subjects = {"admin": ("admin", "root"), "alice": ("agent", "alice")}
    for who, org in (("bob", "ACME"), ("dave", "ACME"), ("erin", None)):
        email = f"{who}@{'acme.test' if org else 'example.com'}"
        desk.save_config(Customer.register(email, who, org, ADMIN))
        subjects[who] = ("customer", email)
    auth = {}
    for who, (role, subject) in subjects.items():
        secret, _ = desk.issue_token(who, role, subject, Origin(SYSTEM))
        auth[who] = {"Authorization": f"Bearer {secret}"}
    return desk, auth


def read_all(w: World, who: str) -> tuple[str, dict[str, str]]:
    """Every customer endpoint as a caller: all of it, and each ticket's read."""

    def get(path: str, **params: Any) -> str:
        response = w.api.get(path, params=params, headers=w.auth[who])
        assert response.status_code == 200, response.text
        return response.text

    now = datetime.now(UTC).isoformat()
    tickets = {n: get(f"{TICKETS}/{n}") for n in w.visible}
    told = list(tickets.values())
    for number in w.visible:
        told += [
            get(f"{TICKETS}/{number}/history"),
            get(f"{TICKETS}/{number}", as_of=now),
            get(f"{TICKETS}/{number}", version=2),
        ]
    told += [
        get(TICKETS, limit=200),
        get(TICKETS, limit=200, hidden=True),
        get("/api/v1/activity", limit=200),
        get("/api/v1/activity/stream", after=0, max_seconds=0),
    ]
    for word in [*w.secrets[-6:], *(words[0] for words in w.public.values())]:
        told.append(get("/api/v1/search", q=word))
    return "\n".join(told), tickets


def withheld_minutes(text: str, minutes: list[int]) -> list[int]:
    """The minutes that appear in the text as numbers of their own.

    A number inside a word, an id or a hash ("…-9001-…", "ab9001f") is not one:
    random UUIDs and digests contain any four digits now and then.
    """
    return [m for m in minutes if re.search(rf"(?<![\w.-]){m}(?![\w.])", text)]


@settings(max_examples=25, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 7)), max_size=24
    )
)
def test_no_command_sequence_tells_a_customer_what_is_withheld(
    steps: list[tuple[str, int]],
) -> None:
    desk, auth = disclosure_desk()
    with tempfile.TemporaryDirectory() as scratch:
        store = SQLiteViewStore(Path(scratch) / "views.sqlite3")
        views = ViewRunner(
            desk, store, [ActivityFeed(), TicketSummary(), SearchIndex()]
        )
        app = create_app(Services(desk=desk, blobs=MemoryBlobs(), views=views))
        with TestClient(app) as api:
            world = World(api, auth)
            open_public(world, 0)
            for kind, i in steps:
                try:
                    COMMANDS[kind](world, i)
                except IndexError:
                    continue
            views.catch_up()
            for who in CUSTOMERS:
                text, tickets = read_all(world, who)
                hidden = [word for words in world.hidden.values() for word in words]
                leaked = [s for s in world.secrets + hidden if s in text]
                assert not leaked, f"{who} was told {leaked}"
                assert not withheld_minutes(text, world.minutes), who
                if world.visible:
                    assert '"time_spent_minutes":null' in text
                for number, public in world.public.items():
                    shown = json.loads(tickets[number])
                    missing = [p for p in public if p not in tickets[number]]
                    assert not missing, f"{who} was not told {missing}"
                    assert shown["title"].endswith(public[0])
        store.close()
