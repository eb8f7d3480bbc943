"""Scheduled tasks on a ticket (Splynx): staff work with an assignee and a due time.

A task is the staff's internal work: the disclosure policy tells no customer of
it. Its rules (a title on one line, a due time with a zone, not in the past, an
id that can be one segment of a URL path) live here; the Ticket aggregate
records the events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.errors import InvalidValue

MAX_TASK_TITLE = 200
#: A task id is one segment of a URL path: letters, digits, `-` and `_`.
TASK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Task:
    """One task as it stands on its ticket."""

    task_id: str
    title: str
    assignee: str
    due_at: datetime
    done: bool = False
    done_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        """Whether the task is still open after its due time."""
        return overdue(self.done, self.due_at, now)


def overdue(done: bool, due_at: datetime, now: datetime) -> bool:
    """Whether a task, done or not and due then, is overdue now: open past its due."""
    return not done and due_at < now


def check_task_id(task_id: str) -> str:
    """The id itself if it can name a task in a URL path."""
    if not TASK_ID.match(task_id):
        raise InvalidValue("a task id has 1 to 64 letters, digits, '-' or '_'")
    return task_id


def check_task_title(title: str) -> str:
    """The title without surrounding spaces, if it has 1 to 200 characters on a line."""
    title = title.strip()
    # splitlines() knows every line break, Unicode's separators too.
    one_line = len(title.splitlines()) == 1 and "\0" not in title
    if not one_line or len(title) > MAX_TASK_TITLE:
        raise InvalidValue(
            f"a task title has 1 to {MAX_TASK_TITLE} characters on one line"
        )
    return title


def check_due_at(due_at: datetime, now: datetime) -> datetime:
    """The due time in UTC, if it has a time zone and does not lie in the past."""
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise InvalidValue("a task's due_at needs a time zone")
    if due_at < now:
        raise InvalidValue("a task's due_at must not lie in the past")
    return due_at.astimezone(UTC)
