"""The desk's store and configuration: lookups, config records and API tokens."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    IntegrityError,
    JSONTranscoder,
)
from eventsourcing.utils import get_topic

from domain.audit import SYSTEM, Origin
from domain.calendars import BusinessCalendar
from domain.choices import DEFAULT_PRIORITIES, DEFAULT_TICKET_TYPES, ChoiceList
from domain.commands import DEFAULT_GROUP, DEFAULT_QUEUE
from domain.desk.cache import DEFAULT_SIZE, RecordCache, private_copy
from domain.desk.records import saved_at
from domain.desk.replaying import ReplayingRepository
from domain.desk.snapshots import (
    SnapshotMapper,
    SnapshotStore,
    register_state_values,
)
from domain.errors import (
    AlreadyExists,
    InvalidValue,
    NotFound,
    VersionConflict,
)
from domain.fields import FieldDefinition
from domain.ids import (
    PRIORITIES_ID,
    STATUS_CATALOGUE_ID,
    TICKET_TYPES_ID,
    agent_id,
    calendar_id,
    customer_id,
    field_id,
    organization_id,
    queue_id,
    sla_policy_id,
    token_id,
)
from domain.people import Agent, Customer, Organization
from domain.queues import FollowUp, Queue
from domain.sla_policies import SlaPolicy, policy_order
from domain.statuses import StatusCatalogue
from domain.tokens import ApiToken, Role, hash_secret

A = TypeVar("A", bound=Aggregate)
# How many tickets and configuration records the desk keeps in memory; 0: none.
CACHE_SIZE_KEY = "RECORD_CACHE_SIZE"


@runtime_checkable
class KnowsChanges(Protocol):
    """A recorder that lists which records the log's tail changed, and no more."""

    def changed_since(self, position: int, limit: int) -> list[tuple[int, UUID]]:
        """(position, record id) of the next `limit` events after a position."""
        ...


class RecorderLog:
    """The event log's tail for the record cache (domain/desk/cache.py)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder
        self._changed_since = (
            recorder.changed_since if isinstance(recorder, KnowsChanges) else None
        )

    def changed_since(self, position: int, limit: int) -> list[tuple[int, UUID]]:
        """(position, record id) of the next `limit` events after a position."""
        if self._changed_since is not None:
            return self._changed_since(position, limit)
        # The in-memory store of the tests: it is small.
        batch = self.recorder.select_notifications(position + 1, limit)
        return [(n.id, UUID(str(n.originator_id))) for n in batch]

    def last_position(self) -> int:
        """The position of the log's last event (0 when empty)."""
        return self.recorder.max_notification_id() or 0


@runtime_checkable
class KnowsPositions(Protocol):
    """A recorder that finds the log position of a stored event by its id."""

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The event's log position, or None."""
        ...


class ConfiguredDesk(Application[UUID]):
    """An application holding the helpdesk's configuration records.

    Its getters return the record as stored now, shared with every other reader
    (see domain/desk/cache.py): change a copy (copy.deepcopy), then save that.
    """

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.records = RecordCache(
            int(self.env.get(CACHE_SIZE_KEY, DEFAULT_SIZE)), RecorderLog(self.recorder)
        )
        # The store's own lookup of an event's position, if it has one (asked
        # once: a check against a runtime protocol costs tens of microseconds).
        self._position_of = (
            self.recorder.position_of
            if isinstance(self.recorder, KnowsPositions)
            else None
        )
        # Per creating event's topic: where the last look ended, and what it found.
        self._created: dict[str, tuple[int, tuple[UUID, ...]]] = {}
        self._created_lock = threading.Lock()

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository, as its settings make it, applying events
        without its check of each one (domain/desk/replaying.py)."""
        repository = super().construct_repository()
        # The same object, its class swapped for the subclass that adds nothing
        # but the default projector: the settings it was made with stay.
        repository.__class__ = ReplayingRepository
        return repository

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Teach the JSON transcoder the value objects kept in snapshots."""
        super().register_transcodings(transcoder)
        register_state_values(transcoder)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """The library's snapshot store, a ticket's articles stored apart in
        each snapshot, and a snapshot that does not decode left out
        (domain/desk/snapshots.py)."""
        store = super().construct_snapshot_store()
        store.mapper = SnapshotMapper(self.mapper)
        # The same object, its class swapped for the subclass that passes over
        # a snapshot it cannot read.
        store.__class__ = SnapshotStore
        return store

    def initialize(self, origin: Origin | None = None) -> bool:
        """Create the default catalogues and queue once; True if it did."""
        origin = origin or Origin(SYSTEM)
        if self.exists(STATUS_CATALOGUE_ID):
            return False
        self.save(
            StatusCatalogue.start(STATUS_CATALOGUE_ID, origin),
            ChoiceList.start(
                PRIORITIES_ID, "priority", DEFAULT_PRIORITIES, "normal", origin
            ),
            ChoiceList.start(
                TICKET_TYPES_ID, "ticket type", DEFAULT_TICKET_TYPES, "question", origin
            ),
            Queue.open(DEFAULT_QUEUE, DEFAULT_GROUP, FollowUp.REOPEN, None, origin),
        )
        return True

    def statuses(self) -> StatusCatalogue:
        """The status catalogue."""
        return self._get(STATUS_CATALOGUE_ID, StatusCatalogue, "status catalogue")

    def priorities(self) -> ChoiceList:
        """The ordered list of priorities."""
        return self._get(PRIORITIES_ID, ChoiceList, "priority list")

    def ticket_types(self) -> ChoiceList:
        """The list of ticket types."""
        return self._get(TICKET_TYPES_ID, ChoiceList, "ticket type list")

    def queue(self, name: str) -> Queue:
        """The queue with this name."""
        return self._get(queue_id(name), Queue, f"queue {name!r}")

    def agent(self, login: str) -> Agent:
        """The agent with this login."""
        return self._get(agent_id(login), Agent, f"agent {login!r}")

    def customer(self, email: str) -> Customer:
        """The customer with this email address."""
        return self._get(customer_id(email), Customer, f"customer {email!r}")

    def organization(self, name: str) -> Organization:
        """The organization with this name."""
        return self._get(organization_id(name), Organization, f"organization {name!r}")

    def field_definition(self, name: str) -> FieldDefinition:
        """The custom field definition with this name."""
        return self._get(field_id(name), FieldDefinition, f"field {name!r}")

    def calendar(self, name: str) -> BusinessCalendar:
        """The business calendar with this name."""
        return self._get(calendar_id(name), BusinessCalendar, f"calendar {name!r}")

    def sla_policy(self, name: str) -> SlaPolicy:
        """The SLA policy with this name."""
        return self._get(sla_policy_id(name), SlaPolicy, f"SLA policy {name!r}")

    def sla_policies(self) -> list[SlaPolicy]:
        """Every SLA policy, active or not, in the order they are tried."""
        return sorted(self.all_of(SlaPolicy), key=policy_order)

    def token(self, token_uuid: UUID) -> ApiToken:
        """The API token with this id."""
        return self._get(token_uuid, ApiToken, "token")

    def all_of(self, kind: type[A]) -> list[A]:
        """Every configuration record of a kind (queues, agents...), oldest first."""
        created = getattr(kind, "Created")  # noqa: B009
        return [self._get(i, kind, kind.__name__) for i in self._created_ids(created)]

    def save_config(self, record: Aggregate) -> int:
        """Store a configuration record as it is: for seeding a store in tests
        and benchmarks. The API and the CLI change configuration by commands
        (HelpDesk.handle), which check versions and take idempotency keys."""
        try:
            recordings = self.save(record)
        except IntegrityError:
            self.records.forget(record.id)
            if record.version == record.__class__.INITIAL_VERSION:
                raise AlreadyExists(f"that {type(record).__name__} exists") from None
            raise VersionConflict(self.current_version(record.id), None) from None
        self.records.keep(record, saved_at(recordings))
        return record.version

    def authenticate(self, secret: str) -> ApiToken | None:
        """The live token for a presented secret, or None."""
        try:
            token = self._get(token_id(hash_secret(secret)), ApiToken, "token")
        except NotFound:
            return None
        return None if token.revoked else token

    def known_queue(self, name: str) -> Queue:
        """The queue a command names; an unknown one is an invalid value."""
        try:
            return self.queue(name)
        except NotFound:
            raise InvalidValue(f"unknown queue {name!r}") from None

    def known_agent(self, login: str) -> Agent:
        """The agent a command names (an assignee); an unknown one is invalid."""
        try:
            return self.agent(login)
        except NotFound:
            raise InvalidValue(f"unknown agent {login!r}") from None

    def known_field(self, name: str) -> FieldDefinition:
        """The custom field a command names; an unknown one is an invalid value."""
        try:
            return self.field_definition(name)
        except NotFound:
            raise InvalidValue(f"unknown custom field {name!r}") from None

    def known_organization(self, name: str | None) -> str | None:
        """The organization a command names (None: none); unknown is invalid."""
        if name is None:
            return None
        try:
            return self.organization(name).name
        except NotFound as error:
            raise InvalidValue(error.message) from None

    def record_to_change(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        """A private copy of a record as stored, for a command to change."""
        return private_copy(self._get(aggregate_id, kind, what))

    def record_at(self, aggregate_id: UUID, version: int, kind: type[A]) -> A:
        """A configuration record as it was at a version (a command's answer)."""
        record: Aggregate = self.repository.get(aggregate_id, version=version)
        if not isinstance(record, kind):
            raise NotFound(f"{kind.__name__} not found")
        return record

    def token_subject(self, role: str, subject: str) -> str:
        """Whom a token stands for: an agent's or customer's must exist."""
        try:
            if role == Role.AGENT:
                return self.agent(subject).login
            if role == Role.CUSTOMER:
                return self.customer(subject).email
        except NotFound as error:
            raise InvalidValue(
                f"a {role} token needs an existing {role}: {error.message}"
            ) from None
        return subject

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any record is stored under this id."""
        if self._position_of is not None:
            # Every record begins at version 1 (an event is never removed): one
            # lookup by the primary key, and no event read back and decoded.
            first = self._position_of(aggregate_id, Aggregate.INITIAL_VERSION)
            return first is not None
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def current_version(self, aggregate_id: UUID) -> int:
        """The stored version of a record (0: none)."""
        return self._stored_version(aggregate_id) or 0

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        """The log position of one stored event of a record, or None."""
        if self._position_of is not None:
            return self._position_of(aggregate_id, version)
        # Only the in-memory store of the tests gets here: it is small.
        start = 1
        while batch := self.recorder.select_notifications(start, 500):
            for n in batch:
                if n.originator_id == aggregate_id and (
                    n.originator_version == version
                ):
                    return n.id
            start = batch[-1].id + 1
        return None

    def _get(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        try:
            record = self._shared(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} not found") from None
        if not isinstance(record, kind):
            raise NotFound(f"{what} not found")
        return record

    def _shared(self, aggregate_id: UUID) -> Aggregate:
        """The record as stored now, shared with other readers: do not change it."""
        return self.records.read(
            aggregate_id, self._stored_version, self.repository.get
        )

    def _stored_version(self, aggregate_id: UUID) -> int | None:
        latest = self.recorder.select_events(aggregate_id, desc=True, limit=1)
        return latest[0].originator_version if latest else None

    def log_position(self) -> int:
        """The log's end as this request or command sees it: where its look at
        the log reached (no query), elsewhere the log's end now."""
        seen = self.records.seen_position()
        if seen is not None:
            return seen
        return self.recorder.max_notification_id() or 0

    def created_ids(self, created: type[Any]) -> Iterator[UUID]:
        """The ids of every record created by events of this class, oldest first."""
        return self._created_ids(created)

    def _created_ids(self, created: type[Any]) -> Iterator[UUID]:
        """The ids found so far plus those created since the last look: the log
        is read from where that look ended (writers commit in log order: SQLite
        has one writer, PostgreSQL writes take a table lock), so a long log costs
        this once per process, not once per lookup. Within a request or command
        the log is read up to where the record cache's look reached, as its
        other reads are; elsewhere up to the log's end."""
        topic = get_topic(created)
        with self._created_lock:
            start, known = self._created.get(topic, (1, ()))
            top = self.log_position()
            found = list(known)
            while start <= top:
                batch = self.recorder.select_notifications(
                    start, 500, stop=top, topics=[topic]
                )
                found += (UUID(str(n.originator_id)) for n in batch)
                if len(batch) < 500:
                    break
                start = batch[-1].id + 1
            self._created[topic] = (top + 1, tuple(found))
        return iter(found)
