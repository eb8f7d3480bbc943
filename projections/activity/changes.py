"""What each ticket event changed, in a line and as data, as one reader is told.

Each description reads only the event's fields the disclosure policy lets the
reader see, so a customer's line and data never hold what is withheld.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.articles import Visibility
from domain.disclosure import Disclosure
from domain.ticket import Ticket

Fields = Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    """One event's summary and changes."""

    summary: str
    changes: dict[str, Any]


def describe(event: Ticket.Event, told: Disclosure) -> Change | None:
    """The event as the reader is told it; None if they may not learn of it."""
    fields = told.event_fields(event)
    if fields is None:
        return None
    return DESCRIBE[type(event)](fields)


def _step(before: object, after: object) -> dict[str, object]:
    return {"from": before, "to": after}


def _shown(e: Fields, *names: str) -> dict[str, Any]:
    return {name: e[name] for name in names if name in e}


def _created(e: Fields) -> Change:
    changes = _shown(
        e, "title", "queue", "priority", "type", "channel", "status", "hidden"
    )
    if "fields" in e:
        changes["fields"] = dict(e["fields"])
    return Change(f"ticket opened in {e['queue']}", changes)


def _article_added(e: Fields) -> Change:
    changes = _shown(
        e,
        "article_id",
        "sender",
        "channel",
        "subject",
        "visibility",
        "time_spent_minutes",
    )
    changes["attachments"] = len(e["attachments"])
    if e["visibility"] != Visibility.PUBLIC:
        return Change("article added (internal note)", changes)
    return Change(f"article added ({e['sender']} via {e['channel']})", changes)


def _assigned(e: Fields) -> Change:
    summary = f"assigned to {e['owner']}"
    if e.get("responsible"):
        summary += f", responsible {e['responsible']}"
    return Change(summary, _shown(e, "owner", "responsible"))


def _status_changed(e: Fields) -> Change:
    until = e["pending_until"]
    changes = {
        "status": _step(e["from_status"], e["to_status"]),
        "category": e["category"],
        "pending_until": until.isoformat() if until else None,
        **_shown(e, "reason"),
    }
    return Change(f"status {e['from_status']} → {e['to_status']}", changes)


def _reopened(e: Fields) -> Change:
    changes = {
        "status": _step(e["from_status"], e["to_status"]),
        **_shown(e, "category", "cause", "article_id", "owner"),
    }
    return Change(f"reopened: status {e['from_status']} → {e['to_status']}", changes)


def _sla_mark(kind: str, e: Fields) -> Change:
    due = e["due_at"].isoformat()
    changes = {"clock": e["clock"], "due_at": due, "policy": e["policy"]}
    return Change(f"SLA {e['clock'].replace('_', ' ')} {kind} (due {due})", changes)


def _field_changed(e: Fields) -> Change:
    done = "cleared" if e["value"] is None else "set"
    changes = {"field": e["name"], **_step(e["previous"], e["value"])}
    return Change(f"field {e['name']} {done}", changes)


def _time_accounted(e: Fields) -> Change:
    summary = f"{e['minutes']} minutes accounted ({e['activity']})"
    return Change(summary, _shown(e, "minutes", "activity", "article_id"))


def _task_scheduled(e: Fields) -> Change:
    changes = {
        **_shown(e, "task_id", "title", "assignee"),
        "due_at": e["due_at"].isoformat(),
    }
    return Change(f"task scheduled for {e['assignee']}: {e['title']}", changes)


def _transition(what: str) -> Callable[[Fields], Change]:
    def transition(e: Fields) -> Change:
        before, after = e[f"from_{what}"], e[f"to_{what}"]
        return Change(f"{what} {before} → {after}", {what: _step(before, after)})

    return transition


DESCRIBE: dict[type[Ticket.Event], Callable[[Fields], Change]] = {
    Ticket.Created: _created,
    Ticket.ArticleAdded: _article_added,
    Ticket.Assigned: _assigned,
    Ticket.Unassigned: lambda e: Change(
        f"unassigned from {e['owner']}", {"owner": _step(e["owner"], None)}
    ),
    Ticket.StatusChanged: _status_changed,
    Ticket.Reopened: _reopened,
    Ticket.PendingExpired: lambda e: Change(
        f"pending time passed: status {e['from_status']} → {e['to_status']}",
        {
            "status": _step(e["from_status"], e["to_status"]),
            "category": e["category"],
            "expired": e["expired"].isoformat(),
        },
    ),
    Ticket.SlaWarned: lambda e: _sla_mark("warned", e),
    Ticket.SlaBreached: lambda e: _sla_mark("breached", e),
    Ticket.PriorityChanged: _transition("priority"),
    Ticket.Moved: _transition("queue"),
    Ticket.TypeChanged: _transition("type"),
    Ticket.Retitled: lambda e: Change(
        "title changed", {"title": _step(e["from_title"], e["to_title"])}
    ),
    Ticket.FieldChanged: _field_changed,
    Ticket.Tagged: lambda e: Change(f"tagged {e['tag']}", {"tag": e["tag"]}),
    Ticket.Untagged: lambda e: Change(f"untagged {e['tag']}", {"tag": e["tag"]}),
    Ticket.Linked: lambda e: Change(
        f"linked to {e['number']} ({e['kind']})",
        {"number": e["number"], "kind": e["kind"]},
    ),
    Ticket.Unlinked: lambda e: Change(
        f"unlinked from {e['number']} ({e['kind']})",
        {"number": e["number"], "kind": e["kind"]},
    ),
    Ticket.Merged: lambda e: Change(
        f"merged into {e['target']}",
        {"target": e["target"], "status": _step(e["from_status"], e["to_status"])},
    ),
    Ticket.Absorbed: lambda e: Change(
        f"absorbed {e['source']}", {"source": e["source"]}
    ),
    Ticket.TimeAccounted: _time_accounted,
    Ticket.SatisfactionRated: lambda e: Change(
        f"rated {e['score']} of 5", {"score": e["score"], "comment": e["comment"]}
    ),
    Ticket.Hidden: lambda e: Change("hidden from the customer", {"hidden": True}),
    Ticket.Unhidden: lambda e: Change("shown to the customer", {"hidden": False}),
    # Scheduled tasks.
    Ticket.TaskScheduled: _task_scheduled,
    Ticket.TaskDone: lambda e: Change(
        f"task {e['task_id']} done", {"task_id": e["task_id"], "done": True}
    ),
    Ticket.TaskReopened: lambda e: Change(
        f"task {e['task_id']} reopened", {"task_id": e["task_id"], "done": False}
    ),
    Ticket.ArticleForwarded: lambda e: Change(
        f"article {e['source_article_id']} forwarded to {', '.join(e['to'])}",
        {
            "article_id": e["article_id"],
            "source_article_id": e["source_article_id"],
            "to": e["to"],
            "cc": e["cc"],
        },
    ),
    # The outbox.
    Ticket.MailSent: lambda e: Change(
        f"mail sent to {e['recipient']}", _mailed(e, "sent")
    ),
    Ticket.MailFailed: lambda e: Change(
        f"mail to {e['recipient']} failed"
        + ("" if e["final"] else ", to be tried again"),
        _mailed(e, "failed" if e["final"] else "retrying"),
    ),
}


def _mailed(e: Fields, outcome: str) -> dict[str, Any]:
    return {
        "article_id": e["article_id"],
        "recipient": e["recipient"],
        "message_id": e["message_id"],
        "attempt": e["attempt"],
        "mail": outcome,
    }
