"""The escalation view's SLA book, folded from the configuration events it reads.

Each SLA policy and business calendar event carries every setting of its record
(a Reconfigured event all but the name), so the view keeps each record's
settings as the last event left them, and builds the book from them: the same
book at the same log position, live or in a rebuild.
"""

from __future__ import annotations

import json
from typing import Any

from domain.calendars import BusinessCalendar, hours_of
from domain.sla_book import PolicyRules, SlaBook
from domain.sla_policies import SlaPolicy
from projections.engine.store import ViewCursor
from projections.engine.view import Tables

EVENTS = (
    SlaPolicy.Created,
    SlaPolicy.Reconfigured,
    BusinessCalendar.Created,
    BusinessCalendar.Reconfigured,
)
_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
)
POLICY, CALENDAR = "policy", "calendar"

TABLES = {
    "escalation_config": (
        "CREATE TABLE IF NOT EXISTS {escalation_config} ("
        "id TEXT PRIMARY KEY, kind TEXT NOT NULL, settings TEXT NOT NULL)"
    ),
}


def remember(cursor: ViewCursor, tables: Tables, event: Any) -> None:
    """Keep a record's settings as the event leaves them."""
    table, record = tables["escalation_config"], str(event.originator_id)
    cursor.execute(f"SELECT settings FROM {table} WHERE id = ?", [record])
    row = cursor.fetchone()
    settings: dict[str, Any] = {} if row is None else json.loads(row.settings)
    settings.update(
        (name, value) for name, value in vars(event).items() if name not in _ENVELOPE
    )
    kind = CALENDAR if isinstance(event, BusinessCalendar.Event) else POLICY
    cursor.execute(
        f"INSERT INTO {table} (id, kind, settings) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET settings = excluded.settings",
        [record, kind, json.dumps(settings, separators=(",", ":"))],
    )


def read(cursor: ViewCursor, tables: Tables) -> SlaBook:
    """The book of every policy and calendar the view has read."""
    cursor.execute(
        f"SELECT kind, settings FROM {tables['escalation_config']} ORDER BY id"
    )
    policies, calendars = [], {}
    for row in cursor.fetchall():
        settings = json.loads(row.settings)
        if row.kind == POLICY:
            policies.append(PolicyRules.from_settings(settings))
        else:
            # An inactive calendar still counts the clocks of the policies naming it.
            calendars[settings["name"]] = hours_of(
                settings["time_zone"], settings["week"], settings["holidays"]
            )
    return SlaBook(tuple(policies), calendars)
