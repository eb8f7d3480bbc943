"""The write side's application: HelpDesk and what its commands take and return."""

from domain.commands import DEFAULT_GROUP, DEFAULT_QUEUE, CommandResult, TicketDraft
from domain.desk.application import HelpDesk

__all__ = ["DEFAULT_GROUP", "DEFAULT_QUEUE", "CommandResult", "HelpDesk", "TicketDraft"]
