"""Real tickets under an SLA policy in Berlin office hours, for the clocks' figures.

The desk is bench/bulk_tickets.py's (20 queues, 8 agents, 200 customers) with a
business calendar "office" (Europe/Berlin, Monday to Friday 08:00-12:00 and
13:00-18:00, Berlin's public holidays) and one policy "standard" over every
queue and priority, both defined by the desk's own commands. Each ticket lives
5 to 20 events within the last 30 days: opened with the customer's article,
assigned, then turns of agent replies (the ticket waits for the customer:
pending, its clocks paused) and customer replies (open again), now and then an
internal note, a priority change or a tag, and 60% end resolved, half of those
closed. The events are the Ticket aggregate's own, saved many tickets at a time
as bench/bulk_tickets.py does.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import UUID

from api.holiday_presets import HolidayPreset
from bench.bulk_tickets import CUSTOMERS, QUEUES, SETUP, BulkTickets
from bench.bulk_tickets import group_agents as agents_of
from domain.articles import Article, Sender, Visibility
from domain.audit import Origin
from domain.configuration_commands import DefineCalendar, DefineSlaPolicy
from domain.ids import ticket_id
from domain.sla_policies import Targets
from domain.statuses import Step
from domain.ticket import Ticket
from tickettape.settings import Settings

OFFICE_WEEK = (("08:00-12:00", "13:00-18:00"),) * 5 + ((), ())
CALENDAR = "office"
POLICY = "standard"
#: First response, update and solution, in business minutes, per priority.
TARGETS = {
    "low": Targets(240, 480, 4800),
    "normal": Targets(120, 240, 2400),
    "high": Targets(60, 120, 960),
    "critical": Targets(30, 60, 480),
}
SPREAD = timedelta(days=30)
FEWEST, MOST = 5, 20


class SlaTickets:
    """A desk under the policy, and real tickets made on it."""

    def __init__(self, settings: Settings, now: datetime, seed: int = 14) -> None:
        self.now = now
        self._bulk = BulkTickets(settings, now)
        self.desk = self._bulk.desk
        self._random = random.Random(seed)
        # psycopg's pipeline hung on ~1,000-row inserts (bench/views_scale.py).
        self._per_save = 10 if settings.uses_postgres else 100
        self.numbers: list[str] = []
        self.events = 0
        years = (now.year - 1, now.year, now.year + 1)
        holidays = tuple(HolidayPreset("DE", "BE", years).dates())
        self.desk.handle(
            DefineCalendar(CALENDAR, "Europe/Berlin", OFFICE_WEEK, holidays, "DE-BE"),
            SETUP,
        )
        self.desk.handle(DefineSlaPolicy(POLICY, TARGETS, calendar=CALENDAR), SETUP)

    def close(self) -> None:
        """Close the desk's store."""
        self._bulk.close()

    def seed(self, count: int, finished: float = 0.6) -> None:
        """Make `count` tickets, this share of them resolved or closed, saving
        several at a time."""
        per_save = self._per_save
        for start in range(0, count, per_save):
            batch = [
                self._ticket(finished) for _ in range(min(per_save, count - start))
            ]
            self.events += sum(len(t.pending_events) for t in batch)
            self.desk.save(*batch)

    def ids(self) -> list[UUID]:
        """The tickets' aggregate ids, in the order they were made."""
        return [ticket_id(number) for number in self.numbers]

    def _ticket(self, finished_share: float) -> Ticket:
        pick, bulk = self._random, self._bulk
        at = self.now - SPREAD * pick.random()
        number = f"{at:%Y%m%d}{len(self.numbers):06d}"
        self.numbers.append(number)
        queue = bulk.queues[pick.choice(QUEUES)]
        customer = pick.choice(CUSTOMERS)
        ticket = Ticket.open(
            number,
            "Printer jams at the fuser",
            customer,
            None,
            queue,
            pick.choice(("low", "normal", "normal", "high", "critical")),
            "problem",
            "web",
            False,
            {},
            bulk.statuses.for_step(Step.INITIAL),
            Origin(f"customer:{customer}", at=at),
        )
        owner = pick.choice(agents_of(queue.group))
        agent, them = f"agent:{owner}", f"customer:{customer}"
        self._write(ticket, Sender.CUSTOMER, them, at)
        at = self._later(at)
        ticket.assign(bulk.agents[owner], queue, None, Origin(agent, at=at))
        wanted = pick.randint(FEWEST, MOST)
        finished = pick.random() < finished_share
        # Room for the resolution and the close at the end.
        while len(ticket.pending_events) < wanted - 2 * finished:
            at = self._later(at)
            turn = pick.random()
            if turn < 0.1:
                self._write(ticket, Sender.AGENT, agent, at, Visibility.INTERNAL)
            elif turn < 0.15:
                ticket.change_priority(
                    pick.choice(("high", "low")), Origin(agent, at=at)
                )
            elif turn < 0.2:
                ticket.tag(pick.choice(("vip", "outage")), Origin(agent, at=at))
            else:
                spoke = pick.random() < 0.5
                sender, actor = (
                    (Sender.AGENT, agent) if spoke else (Sender.CUSTOMER, them)
                )
                self._write(ticket, sender, actor, at)
        if finished:
            self._finish(ticket, agent, self._later(at))
        return ticket

    def _finish(self, ticket: Ticket, agent: str, at: datetime) -> None:
        statuses, done = self._bulk.statuses, Origin(agent, at=at)
        ticket.change_status(statuses.settable("resolved"), None, "fixed", at, done)
        if self._random.random() < 0.5:
            ticket.change_status(statuses.settable("closed"), None, "done", at, done)

    def _write(
        self,
        ticket: Ticket,
        sender: str,
        actor: str,
        at: datetime,
        visibility: str = Visibility.PUBLIC,
    ) -> None:
        text = Article(
            article_id=self.desk.new_article_id(),
            sender=sender,
            visibility=visibility,
            channel="web" if sender == Sender.CUSTOMER else "note",
            body="The printer on the second floor jams at the fuser again.",
        )
        queue = self._bulk.queues[ticket.queue]
        ticket.add_article(text, self._bulk.statuses, queue, at, Origin(actor, at=at))

    def _later(self, at: datetime) -> datetime:
        """Some minutes to two days after `at`, but never after now."""
        return min(at + timedelta(minutes=self._random.randint(5, 2880)), self.now)
