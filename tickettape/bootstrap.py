"""The composition root: settings in, a desk, a blob store and an API out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from api.services import Services
from api.stream_seats import StreamSeats
from api.throttle import AuthThrottle
from domain.attachments import BlobStore
from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk
from domain.mail import MailTerms
from domain.tokens import Role
from mail.intake import IntakeLimits, MailIntake
from mail.outbox import MailOutbox, RetryPolicy
from mail.outgoing import Letterhead
from mail.relay import Relay
from mail.smtp_server import ListenerSettings, MailListener
from projections.catalogue import all_views
from projections.engine.notifications import watcher_for
from projections.engine.runner import ViewRunner
from projections.engine.store import PostgresViewStore, SQLiteViewStore, ViewStore
from projections.engine.view import View
from projections.escalations.view import NAME as ESCALATIONS
from projections.escalations.worker import EscalationWorker
from projections.outbox.view import NAME as OUTBOX
from replay.checkpoint import load_signing_key
from replay.keeper import ChainKeeper, CheckpointPlan
from replay.seals import Keyring, KeyringFile
from tickettape.blobs import DirectoryBlobStore, PostgresBlobStore
from tickettape.encryption import check_store
from tickettape.sealing import keyring_file_of
from tickettape.settings import Settings
from tickettape.stores import connect_timeout, event_store_env, libpq_conninfo

if TYPE_CHECKING:
    from fastapi import FastAPI

FIRST_ADMIN = "admin"


@dataclass
class Runtime:
    """What a running tickettape holds open; close it when done."""

    settings: Settings
    desk: HelpDesk
    blobs: BlobStore
    views: ViewRunner
    chain: ChainKeeper
    escalations: EscalationWorker
    mail: MailIntake
    listener: MailListener | None = None
    outbox: MailOutbox | None = None

    def services(self) -> Services:
        """What the API needs, with the edge's limits from the settings."""
        return Services(
            desk=self.desk,
            blobs=self.blobs,
            max_attachment_bytes=self.settings.max_attachment_bytes,
            max_attachments=self.settings.max_attachments,
            max_request_bytes=self.settings.max_request_bytes,
            body_idle_seconds=self.settings.request_body_idle_seconds,
            views=self.views,
            chain=self.chain,
            mail=self.mail,
            auth_throttle=auth_throttle(self.settings),
            stream_seats=StreamSeats(self.settings.max_streams_per_caller),
            worker_threads=self.settings.request_workers,
        )

    def start_views(self) -> bool:
        """Keep the views caught up on a background thread until close().

        Not where the settings say separate workers do it; True if started.
        """
        if self.settings.views_in_process:
            self.views.start()
        return self.settings.views_in_process

    def start_chain(self) -> bool:
        """Keep the audit chain current on a background thread until close().

        Not where the settings say `replay chain --follow` does it; True if started.
        """
        if self.settings.chain_in_process:
            self.chain.start()
        return self.settings.chain_in_process

    def start_escalations(self) -> bool:
        """Run the escalation worker on a background thread until close().

        Not where the settings say `tickettape sla run` does it; True if started.
        """
        if self.settings.sla_in_process:
            self.escalations.start()
        return self.settings.sla_in_process

    def start_mail(self) -> bool:
        """Listen for mail on a thread of its own until close(), where the
        settings say `serve` does; True if started."""
        if self.settings.mail_in_process:
            self.listener = mail_listener(self.mail, self.settings)
            self.listener.start()
        return self.settings.mail_in_process

    def start_outbox(self) -> bool:
        """Send mail on a thread of its own until close(), where the settings
        name a relay and say `serve` sends; True if started."""
        if not (self.settings.smtp_url and self.settings.mail_send_in_process):
            return False
        self.outbox = mail_outbox(self)
        self.outbox.start()
        return True

    def close(self) -> None:
        """Stop the background threads and release the connections."""
        if self.listener is not None:
            self.listener.stop()
        if self.outbox is not None:
            self.outbox.stop()
        self.escalations.stop()
        self.views.stop()
        self.chain.close()
        self.views.store.close()
        self.desk.close()
        if isinstance(self.blobs, PostgresBlobStore):
            self.blobs.close()


def open_runtime(settings: Settings, views: Sequence[View] | None = None) -> Runtime:
    """Connect to the configured store (SQLite under data_dir unless a URL is set).

    The runner keeps the given views (by default every one in the catalogue).
    """
    desk = HelpDesk(env=event_store_env(settings))
    try:
        check_store(desk, encrypted=settings.cipher_key is not None)
    except ValueError:
        desk.close()
        raise
    blobs: BlobStore
    store: ViewStore
    conninfo = None
    if settings.uses_postgres:
        conninfo = libpq_conninfo(settings)
        waits = connect_timeout(settings)
        blobs = PostgresBlobStore(conninfo, timeout=waits)
        store = PostgresViewStore(conninfo, settings.postgres_pool_size, timeout=waits)
    else:
        blobs = DirectoryBlobStore(settings.blob_dir)
        # The event store's lock wait, where 0 keeps SQLite's default 5 s too.
        lock_timeout = settings.postgres_lock_timeout or 5
        store = SQLiteViewStore(settings.views_path, lock_timeout=lock_timeout)
    runner = ViewRunner(
        desk,
        store,
        all_views() if views is None else views,
        batch_size=settings.views_batch_size,
        poll_seconds=settings.views_poll_seconds,
        watcher=watcher_for(desk.recorder, conninfo),
    )
    keeper = ChainKeeper(
        desk,
        seal_keys(desk, settings),
        poll_seconds=settings.views_poll_seconds,
        watcher=watcher_for(desk.recorder, conninfo),
        checkpoints=checkpoint_plan(settings),
    )
    escalations = EscalationWorker(
        desk,
        store,
        poll_seconds=settings.sla_poll_seconds,
        before_tick=escalation_catch_up(runner),
    )
    intake = MailIntake(
        desk, blobs, mail_terms(settings), IntakeLimits(settings.mail_max_bytes)
    )
    return Runtime(settings, desk, blobs, runner, keeper, escalations, intake)


def mail_listener(intake: MailIntake, settings: Settings) -> MailListener:
    """The SMTP (or LMTP) listener the settings describe, handing in to the intake."""
    where = ListenerSettings(
        host=settings.mail_host,
        port=settings.mail_port,
        lmtp=settings.mail_lmtp,
        max_bytes=settings.mail_max_bytes,
        accept_domains=tuple(settings.mail_accept_domains),
        max_connections=settings.mail_max_connections,
        max_recipients=settings.mail_max_recipients,
    )
    return MailListener(intake.deliver, where)


def mail_outbox(runtime: Runtime) -> MailOutbox:
    """The outbox worker the settings describe; ValueError on a bad SMTP URL."""
    settings = runtime.settings
    terms = mail_terms(settings)
    sender = settings.mail_from or next(iter(settings.mail_addresses), terms.loop_mark)
    policy = RetryPolicy(
        attempts=settings.mail_send_attempts,
        first_wait=timedelta(seconds=settings.mail_retry_seconds),
        longest_wait=timedelta(seconds=settings.mail_retry_max_seconds),
        max_age=timedelta(hours=settings.mail_send_max_age_hours),
    )
    return MailOutbox(
        runtime.desk,
        runtime.views.store,
        runtime.blobs,
        Relay.from_url(settings.smtp_url),
        Letterhead(sender, terms),
        policy,
        poll_seconds=settings.mail_send_poll_seconds,
        before_tick=view_catch_up(runtime.views, OUTBOX),
        agent_notices=settings.mail_agent_notices,
    )


def auth_throttle(settings: Settings) -> AuthThrottle | None:
    """The throttle on bad tokens the settings ask for, if any."""
    failures = settings.auth_failures_per_minute
    return AuthThrottle(failures, window=60.0) if failures else None


def mail_terms(settings: Settings) -> MailTerms:
    """The mail settings a message's decision follows."""
    return MailTerms(
        tag=settings.mail_tag,
        queues=tuple(settings.mail_queues.items()),
        default_queue=settings.mail_default_queue or None,
        register_customers=settings.mail_register_customers,
        refused_senders=tuple(settings.mail_refused_senders),
        own_addresses=tuple(settings.mail_addresses),
        message_id_domain=settings.mail_message_id_domain,
    )


def escalation_catch_up(runner: ViewRunner) -> Callable[[], object] | None:
    """What the escalation worker does before each tick: catch the escalation
    view up, unless this process's views thread keeps it caught up."""
    return view_catch_up(runner, ESCALATIONS)


def view_catch_up(runner: ViewRunner, name: str) -> Callable[[], object] | None:
    """What a worker does before each tick: catch the view it reads up, unless
    this process's views thread keeps it caught up (or this runner lacks it)."""
    if name not in (view.name for view in runner.views):
        return None

    def catch_up() -> None:
        if not runner.running:
            runner.catch_up(name)

    return catch_up


def seal_keys(desk: HelpDesk, settings: Settings) -> Callable[[], Keyring]:
    """The keyring the desk's store seals with, as its file holds it now."""
    source = keyring_file_of(desk.recorder) or KeyringFile(settings.seal_key_path)
    return source.keyring


def checkpoint_plan(settings: Settings) -> CheckpointPlan | None:
    """How the chain keeper signs checkpoints; None without a key or an interval.

    ValueError when the key file cannot be used.
    """
    if settings.checkpoint_key is None or settings.checkpoint_interval <= 0:
        return None
    return CheckpointPlan(
        load_signing_key(settings.checkpoint_key),
        settings.checkpoint_interval,
        settings.checkpoint_dir,
    )


def initialize(runtime: Runtime) -> str | None:
    """Create the default configuration once; returns the first admin token then."""
    origin = Origin(SYSTEM, "tickettape-init")
    if not runtime.desk.initialize(origin):
        return None
    secret, _ = runtime.desk.issue_token("first admin", Role.ADMIN, FIRST_ADMIN, origin)
    return secret


def build_app(runtime: Runtime) -> FastAPI:
    """The API over a runtime's services."""
    # Imported here: the web stack costs seconds of start-up that the CLI's
    # other commands, projection workers above all, never need.
    from api.app import create_app

    return create_app(runtime.services())
