"""Scheduled tasks through HTTP, for each role: schedule, done, reopen, list, the
task view; customers are told of none of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.audit import Origin
from domain.commands import CompleteTask, ScheduleTask
from domain.desk import HelpDesk
from domain.queues import FollowUp, Queue
from projections.activity.projection import ActivityFeed
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.tasks.view import TaskView
from tests.e2e.memory_desk import Auth, open_ticket, read

TICKETS, VIEW = "/api/v1/tickets", "/api/v1/views/tasks"
NOW = datetime.now(UTC).replace(microsecond=0)
HOUR = timedelta(hours=1)
TOMORROW = (NOW + 24 * HOUR).isoformat()


def task(title: str = "Call back", assignee: str = "alice", **extra: Any) -> Any:
    """A task body, due tomorrow unless told."""
    return {"title": title, "assignee": assignee, "due_at": TOMORROW, **extra}


def post(
    client: TestClient,
    auth: Auth,
    who: str,
    path: str,
    body: Any = None,
    **headers: str,
) -> Any:
    """A write as a caller; the response."""
    return client.post(path, json=body, headers={**auth[who], **headers})


def log_position(desk: HelpDesk) -> int:
    """The last position of the log: a refused write leaves it where it was."""
    return int(desk.recorder.max_notification_id() or 0)


def test_staff_schedule_complete_and_reopen_a_task(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    tasks = f"{TICKETS}/{number}/tasks"
    made = post(client, auth, "alice", tasks, task("  Ring the printer shop  "))
    assert made.status_code == 201, made.text
    task_id = made.json()["task_id"]
    assert made.headers["ETag"] == f'"{made.json()["version"]}"'
    assert made.headers["Location"] == tasks
    listed = read(client, tasks, auth["auditor"])
    assert listed["tasks"] == [
        {
            "task_id": task_id,
            "title": "Ring the printer shop",
            "assignee": "alice",
            "due_at": TOMORROW.replace("+00:00", "Z"),
            "done": False,
            "done_at": None,
            "overdue": False,
        }
    ]
    done = post(client, auth, "admin", f"{tasks}/{task_id}/done")
    assert done.status_code == 200, done.text
    again = post(client, auth, "alice", f"{tasks}/{task_id}/done")
    assert (again.json()["version"], again.json()["position"]) == (
        done.json()["version"],
        None,
    ), "done twice records nothing"
    [shown] = read(client, tasks, auth["alice"])["tasks"]
    assert shown["done"]
    assert shown["done_at"] is not None
    reopened = post(client, auth, "alice", f"{tasks}/{task_id}/reopen")
    assert reopened.json()["version"] == done.json()["version"] + 1
    assert read(client, tasks, auth["alice"])["tasks"][0]["done"] is False


def test_a_task_may_be_anyones_but_only_staff_touch_it(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    tasks = f"{TICKETS}/{number}/tasks"
    # carol works billing only: a task may be hers, but she may not see the ticket.
    task_id = post(client, auth, "alice", tasks, task(assignee="carol")).json()[
        "task_id"
    ]
    before = log_position(desk)
    for who, status in (("bob", 403), ("dave", 403), ("auditor", 403), ("carol", 404)):
        for path, body in (
            (tasks, task()),
            (f"{tasks}/{task_id}/done", None),
            (f"{tasks}/{task_id}/reopen", None),
        ):
            answer = post(client, auth, who, path, body)
            assert answer.status_code == status, (who, path, answer.text)
    for who, status in (("bob", 403), ("erin", 403), ("carol", 404)):
        assert client.get(tasks, headers=auth[who]).status_code == status, who
    assert log_position(desk) == before


def test_retries_and_preconditions_work_as_for_other_commands(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    tasks = f"{TICKETS}/{number}/tasks"
    key = {"Idempotency-Key": "task-once"}
    first = post(client, auth, "alice", tasks, task(), **key)
    again = post(client, auth, "alice", tasks, task(), **key)
    assert again.json() == {**first.json(), "replayed": True}
    assert len(desk.ticket(number).tasks) == 1
    other = post(client, auth, "alice", tasks, task("Something else"), **key)
    assert other.status_code == 422, "a key is for one command"
    version = first.json()["version"]
    task_id = first.json()["task_id"]
    stale = post(
        client, auth, "alice", f"{tasks}/{task_id}/done", None, **{"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    fresh = post(
        client,
        auth,
        "alice",
        f"{tasks}/{task_id}/done",
        None,
        **{"If-Match": f'"{version}"'},
    )
    assert fresh.status_code == 200, fresh.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (task("two\nlines"), 422),
        (task("x" * 201), 422),
        (task("nul\u0000"), 422),
        (task(assignee="nobody"), 422),
        (task(due_at="2099-01-01T09:00:00"), 422),
        (task(due_at=(NOW - HOUR).isoformat()), 422),
        (task(colour="red"), 422),
        ({"title": "No assignee", "due_at": TOMORROW}, 422),
    ],
)
def test_a_bad_task_is_a_problem_and_writes_nothing(
    client: TestClient, auth: Auth, desk: HelpDesk, body: Any, status: int
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    before = log_position(desk)
    answer = post(client, auth, "alice", f"{TICKETS}/{number}/tasks", body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert log_position(desk) == before


def test_unknown_tasks_and_closed_tickets_are_refused(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    tasks = f"{TICKETS}/{number}/tasks"
    missing = post(client, auth, "alice", f"{tasks}/nope/done")
    assert (missing.status_code, missing.json()["code"]) == (404, "not-found")
    task_id = post(client, auth, "alice", tasks, task()).json()["task_id"]
    desk.change_status(number, "closed", None, "", Origin("agent:alice"))
    for path, body in ((tasks, task()), (f"{tasks}/{task_id}/done", None)):
        answer = post(client, auth, "alice", path, body)
        assert (answer.status_code, answer.json()["code"]) == (409, "ticket-closed")


def test_customers_never_read_a_task_in_their_ticket_or_its_history(
    client: TestClient, auth: Auth, desk: HelpDesk
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    tasks = f"{TICKETS}/{number}/tasks"
    task_id = post(client, auth, "alice", tasks, task("Secret errand")).json()[
        "task_id"
    ]
    post(client, auth, "alice", f"{tasks}/{task_id}/done")
    staff = read(client, f"{TICKETS}/{number}", auth["alice"])
    assert [t["title"] for t in staff["tasks"]] == ["Secret errand"]
    staff_history = read(client, f"{TICKETS}/{number}/history", auth["auditor"])
    assert "TaskDone" in {e["event"] for e in staff_history["entries"]}
    for who in ("bob", "dave"):
        ticket = client.get(f"{TICKETS}/{number}", headers=auth[who])
        history = client.get(f"{TICKETS}/{number}/history", headers=auth[who])
        told = ticket.text + history.text
        assert ticket.json()["tasks"] is None
        for secret in ("Secret errand", task_id, "Task"):
            assert secret not in told, (who, secret)


@pytest.fixture
def views(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The task view and the activity feed; carol works Billing."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, ago(HOUR)))
    return ViewRunner(desk, view_store, [TaskView(), ActivityFeed()], batch_size=5)


def ago(delta: timedelta, actor: str = "agent:alice") -> Origin:
    """An origin stamped that long before the tests started."""
    return Origin(actor, at=NOW - delta)


def schedule(
    desk: HelpDesk, number: str, title: str, due: timedelta, assignee: str = "alice"
) -> str:
    """A task scheduled two hours ago, due `due` from the tests' start; its id."""
    command = ScheduleTask(number, title, assignee, NOW + due)
    made = desk.handle(command, ago(2 * HOUR))
    assert made.task_id is not None
    return made.task_id


def titles(page: Any) -> list[tuple[str, bool]]:
    """The titles of a page of tasks and whether each is overdue."""
    return [(t["title"], t["overdue"]) for t in page["tasks"]]


def test_the_task_view_puts_the_overdue_first_in_the_callers_queues(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    general = open_ticket(desk, "bob@acme.test")
    billing = open_ticket(desk, "erin@example.com", queue="Billing")
    schedule(desk, general, "later", 3 * HOUR)
    schedule(desk, general, "late", -HOUR, assignee="carol")
    schedule(desk, billing, "billing soon", HOUR)
    done = schedule(desk, general, "finished", -HOUR / 2)
    desk.handle(CompleteTask(general, done), ago(HOUR))
    views.catch_up()
    everything = read(api, VIEW, auth["admin"])
    assert titles(everything) == [
        ("late", True),
        ("billing soon", False),
        ("later", False),
    ]
    assert everything["total"] == 3
    assert everything["caught_up"]
    assert titles(read(api, VIEW, auth["auditor"], state="all"))[-1] == (
        "finished",
        False,
    )
    assert titles(read(api, VIEW, auth["alice"])) == [("late", True), ("later", False)]
    # carol's own task is on a ticket of a queue she does not work: not hers to see.
    assert titles(read(api, VIEW, auth["carol"])) == [("billing soon", False)]
    assert titles(read(api, VIEW, auth["carol"], assignee="carol")) == []
    assert titles(read(api, VIEW, auth["admin"], assignee="carol")) == [("late", True)]
    assert titles(read(api, VIEW, auth["admin"], queue="Billing")) == [
        ("billing soon", False)
    ]
    assert titles(read(api, VIEW, auth["admin"], state="done")) == [("finished", False)]
    first = read(api, VIEW, auth["admin"], limit=2)
    rest = read(api, VIEW, auth["admin"], limit=2, cursor=first["next_cursor"])
    assert titles(first) + titles(rest) == titles(everything)
    for who in ("bob", "erin"):
        assert api.get(VIEW, headers=auth[who]).status_code == 403


def test_the_task_view_answers_after_a_write_and_refuses_bad_queries(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    made = api.post(f"{TICKETS}/{number}/tasks", json=task(), headers=auth["alice"])
    page = read(api, VIEW, auth["alice"], after=made.json()["position"], wait=0)
    assert not page["caught_up"], "the view is caught up only when a runner runs"
    views.catch_up()
    page = read(api, VIEW, auth["alice"], after=made.json()["position"], wait=0)
    assert page["caught_up"]
    assert titles(page) == [("Call back", False)]
    for params in ({"state": "late"}, {"limit": 0}, {"cursor": "%%%"}, {"x": 1}):
        answer = api.get(VIEW, params=params, headers=auth["alice"])
        assert answer.status_code in (400, 422), (params, answer.text)


def test_customers_find_no_task_in_their_activity_feed(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    number = open_ticket(desk, "bob@acme.test")
    task_id = schedule(desk, number, "Secret errand", HOUR)
    desk.handle(CompleteTask(number, task_id), Origin("agent:alice"))
    views.catch_up()
    staff = read(api, "/api/v1/activity", auth["alice"], limit=200)
    assert "Secret errand" in str(staff)
    for who in ("bob", "dave"):
        feed = api.get("/api/v1/activity", params={"limit": 200}, headers=auth[who])
        assert feed.status_code == 200
        for secret in ("Secret errand", task_id, "task"):
            assert secret not in feed.text, (who, secret)
