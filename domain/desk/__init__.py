"""The write side's application: HelpDesk and what its commands take and return."""

from domain.desk.application import HelpDesk
from domain.desk.records import (
    DEFAULT_GROUP,
    DEFAULT_QUEUE,
    CommandResult,
    TicketDraft,
)

__all__ = ["DEFAULT_GROUP", "DEFAULT_QUEUE", "CommandResult", "HelpDesk", "TicketDraft"]
