"""What each ticket event changed, in a line and as data, for staff and customers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.articles import Visibility
from domain.ticket import Ticket


@dataclass(frozen=True)
class Change:
    """One event's summary and changes; customers read the `customer_` ones if set.

    internal: customers never learn the activity happened at all.
    """

    summary: str
    changes: dict[str, Any]
    internal: bool = False
    customer_summary: str | None = None
    customer_changes: dict[str, Any] | None = None


def _step(before: object, after: object) -> dict[str, object]:
    return {"from": before, "to": after}


def _created(e: Ticket.Created) -> Change:
    seen = {
        "title": e.title,
        "queue": e.queue,
        "priority": e.priority,
        "type": e.type,
        "channel": e.channel,
        "status": e.status,
    }
    # Custom fields and the hidden flag are for staff only.
    full = {**seen, "hidden": e.hidden, "fields": dict(e.fields)}
    return Change(f"ticket opened in {e.queue}", full, customer_changes=seen)


def _article_added(e: Ticket.ArticleAdded) -> Change:
    seen = {
        "article_id": e.article_id,
        "sender": e.sender,
        "channel": e.channel,
        "subject": e.subject,
        "attachments": len(e.attachments),
    }
    full = {
        **seen,
        "visibility": e.visibility,
        "time_spent_minutes": e.time_spent_minutes,
    }
    if e.visibility != Visibility.PUBLIC:
        return Change("article added (internal note)", full, internal=True)
    summary = f"article added ({e.sender} via {e.channel})"
    return Change(summary, full, customer_changes=seen)


def _assigned(e: Ticket.Assigned) -> Change:
    summary = f"assigned to {e.owner}"
    full = {"owner": e.owner, "responsible": e.responsible}
    # The responsible agent is internal, like on the ticket itself.
    return Change(
        f"{summary}, responsible {e.responsible}" if e.responsible else summary,
        full,
        customer_summary=summary,
        customer_changes={"owner": e.owner},
    )


def _status_changed(e: Ticket.StatusChanged) -> Change:
    seen = {
        "status": _step(e.from_status, e.to_status),
        "category": e.category,
        "pending_until": e.pending_until.isoformat() if e.pending_until else None,
    }
    # An agent's reason for a status is a note to colleagues.
    return Change(
        f"status {e.from_status} → {e.to_status}",
        {**seen, "reason": e.reason},
        customer_changes=seen,
    )


def _reopened(e: Ticket.Reopened) -> Change:
    changes = {
        "status": _step(e.from_status, e.to_status),
        "category": e.category,
        "cause": e.cause,
        "article_id": e.article_id,
        "owner": e.owner,
    }
    return Change(f"reopened: status {e.from_status} → {e.to_status}", changes)


def _field_changed(e: Ticket.FieldChanged) -> Change:
    done = "cleared" if e.value is None else "set"
    changes = {"field": e.name, **_step(e.previous, e.value)}
    return Change(f"field {e.name} {done}", changes, internal=True)


def _time_accounted(e: Ticket.TimeAccounted) -> Change:
    changes = {"minutes": e.minutes, "activity": e.activity, "article_id": e.article_id}
    summary = f"{e.minutes} minutes accounted ({e.activity})"
    return Change(summary, changes, internal=True)


def _transition(what: str, key: str) -> Callable[[Any], Change]:
    def describe(e: Any) -> Change:
        before, after = getattr(e, f"from_{key}"), getattr(e, f"to_{key}")
        return Change(f"{what} {before} → {after}", {what: _step(before, after)})

    return describe


DESCRIBE: dict[type[Any], Callable[[Any], Change]] = {
    Ticket.Created: _created,
    Ticket.ArticleAdded: _article_added,
    Ticket.Assigned: _assigned,
    Ticket.Unassigned: lambda e: Change(
        f"unassigned from {e.owner}", {"owner": _step(e.owner, None)}
    ),
    Ticket.StatusChanged: _status_changed,
    Ticket.Reopened: _reopened,
    Ticket.PriorityChanged: _transition("priority", "priority"),
    Ticket.Moved: _transition("queue", "queue"),
    Ticket.TypeChanged: _transition("type", "type"),
    Ticket.Retitled: lambda e: Change(
        "title changed", {"title": _step(e.from_title, e.to_title)}
    ),
    Ticket.FieldChanged: _field_changed,
    Ticket.Tagged: lambda e: Change(f"tagged {e.tag}", {"tag": e.tag}),
    Ticket.Untagged: lambda e: Change(f"untagged {e.tag}", {"tag": e.tag}),
    Ticket.Linked: lambda e: Change(
        f"linked to {e.number} ({e.kind})", {"number": e.number, "kind": e.kind}
    ),
    Ticket.Unlinked: lambda e: Change(
        f"unlinked from {e.number} ({e.kind})", {"number": e.number, "kind": e.kind}
    ),
    Ticket.Merged: lambda e: Change(
        f"merged into {e.target}",
        {"target": e.target, "status": _step(e.from_status, e.to_status)},
    ),
    Ticket.Absorbed: lambda e: Change(f"absorbed {e.source}", {"source": e.source}),
    Ticket.TimeAccounted: _time_accounted,
    Ticket.SatisfactionRated: lambda e: Change(
        f"rated {e.score} of 5", {"score": e.score, "comment": e.comment}
    ),
}
