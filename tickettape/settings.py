"""Settings from the environment (TICKETTAPE_*), read when asked, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Request worker threads on each store, unless set: on SQLite more only compete
#: for the GIL; on PostgreSQL they wait on the network (anyio's own default).
SQLITE_WORKERS, POSTGRES_WORKERS = 4, 40


class Settings(BaseSettings):
    """Where the store lives and what the edge accepts."""

    model_config = SettingsConfigDict(env_prefix="TICKETTAPE_", extra="ignore")

    database_url: str = Field(
        default="",
        description="postgresql://user:pass@host:port/db; empty means embedded SQLite",
    )
    data_dir: Path = Field(
        default=Path("var"),
        description="Where the embedded store and attachment blobs are kept",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_attachments: int = Field(default=20, ge=0, le=1000)
    max_request_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="the largest request body that is neither multipart nor a "
        "raw mail (JSON); larger ones are refused with 413, unread",
    )
    postgres_pool_size: int = Field(default=5, ge=1)
    postgres_lock_timeout: int = Field(
        default=5, ge=0, description="seconds a write waits for the table lock"
    )
    postgres_connect_timeout: int = Field(
        default=3,
        ge=1,
        le=3600,
        description="seconds to connect to PostgreSQL and to wait for a pooled "
        "connection; the URL's connect_timeout parameter wins",
    )
    postgres_statement_timeout: float = Field(
        default=30.0,
        ge=0,
        le=86400,
        description="seconds a statement may run before PostgreSQL cancels it; "
        "0 sets none",
    )
    request_head_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="seconds a client has to send a whole request head, from its "
        "connection or its first byte; then `serve` closes the connection",
    )
    request_body_idle_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="seconds a client may leave between two parts of a request "
        "body; then the request is answered 408",
    )
    max_streams_per_caller: int = Field(
        default=8,
        ge=1,
        le=10_000,
        description="activity streams (SSE) one caller keeps open at once in a "
        "`serve` process; one more is answered 429 until one closes",
    )
    auth_failures_per_minute: int = Field(
        default=30,
        ge=0,
        le=1_000_000,
        description="bad tokens a client address may present in a minute before "
        "its requests are refused (429) for the rest of it; 0 turns this off",
    )
    worker_threads: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="threads that run requests' store work at once in a `serve` "
        "process; unset: 4 on the embedded SQLite store (more only compete for "
        "the GIL), 40 on PostgreSQL (they wait on the network)",
    )
    record_cache_size: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="tickets and configuration records kept in memory, "
        "checked against the store on every read; 0 turns the cache off",
    )
    views_in_process: bool = Field(
        default=True,
        description="serve keeps the views caught up itself; false when "
        "`tickettape projections run` workers do it",
    )
    chain_in_process: bool = Field(
        default=True,
        description="serve keeps the audit chain current itself; false when a "
        "`tickettape replay chain --follow` process does it",
    )
    sla_in_process: bool = Field(
        default=True,
        description="serve runs the escalation worker (SLA warnings and breaches, "
        "expired pending times) itself; false when `tickettape sla run` does it",
    )
    sla_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="how often the escalation worker looks for clocks and pending "
        "times that came due",
    )
    mail_in_process: bool = Field(
        default=False,
        description="serve also listens for mail (SMTP, or LMTP with mail_lmtp) on "
        "mail_host:mail_port; otherwise `tickettape mail serve` does",
    )
    mail_host: str = Field(
        default="127.0.0.1", description="where the mail listener listens"
    )
    mail_port: int = Field(default=2525, ge=0, le=65535, description="its port")
    mail_lmtp: bool = Field(
        default=False, description="speak LMTP (a local MTA hands mail over) not SMTP"
    )
    mail_max_bytes: int = Field(
        default=25 * 1024 * 1024,
        ge=1024,
        le=1024**3,
        description="the largest message taken; the listener refuses larger ones "
        "(552) and an import keeps them quarantined",
    )
    mail_max_connections: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="SMTP/LMTP connections the listener keeps open at once; one "
        "more is answered 421 (try again later) and closed",
    )
    mail_max_recipients: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="recipients of one message; one more is answered 452, and the "
        "sending server sends the rest in another transaction",
    )
    mail_tag: str = Field(
        default="Ticket#",
        min_length=1,
        max_length=40,
        description="the subject tag before a ticket number: [Ticket#NUMBER]",
    )
    mail_queues: dict[str, str] = Field(
        default_factory=dict,
        description='recipient address -> queue, as JSON: {"billing@example.com": '
        '"Billing"}',
    )
    mail_default_queue: str | None = Field(
        default="General",
        description="the queue of new mail to an address not in mail_queues "
        "(empty: quarantine it)",
    )
    mail_register_customers: bool = Field(
        default=True,
        description="register an unknown sender as a customer (false: quarantine)",
    )
    mail_refused_senders: list[str] = Field(
        default_factory=list,
        description='senders whose mail is quarantined, as JSON: ["spam@x.com", '
        '"@bad.example"]',
    )
    mail_addresses: list[str] = Field(
        default_factory=list,
        description="our own addresses (and X-Loop values): mail from them is a "
        "loop and is quarantined, as JSON",
    )
    mail_accept_domains: list[str] = Field(
        default_factory=list,
        description="the listener takes mail only for these recipient domains "
        "(JSON list; empty: any)",
    )
    mail_message_id_domain: str = Field(
        default="tickettape.invalid",
        min_length=1,
        max_length=200,
        description="the domain of the Message-IDs of the mail we send",
    )
    smtp_url: str = Field(
        default="",
        description="the relay outgoing mail goes to: smtp://[user:pass@]host[:port]"
        "[?starttls=true|auto] or smtps://...; empty: no mail is sent",
    )
    mail_from: str = Field(
        default="",
        max_length=254,
        description="the From (and envelope sender) of the mail we send; empty: the "
        "first of mail_addresses, else tickettape@mail_message_id_domain",
    )
    mail_send_in_process: bool = Field(
        default=True,
        description="serve sends mail itself when smtp_url is set; false when a "
        "`tickettape mail send` process does it",
    )
    mail_send_attempts: int = Field(
        default=10, ge=1, le=100, description="tries before a delivery fails for good"
    )
    mail_retry_seconds: float = Field(
        default=60,
        gt=0,
        le=86400,
        description="the wait after a first failed try; it doubles after each",
    )
    mail_retry_max_seconds: float = Field(
        default=7200, gt=0, le=7 * 86400, description="the longest wait between tries"
    )
    mail_send_max_age_hours: float = Field(
        default=72,
        gt=0,
        description="an article older than this when the outbox first sees it is "
        "not sent (recorded as failed): an outbox turned on for an old store "
        "does not mail its history",
    )
    mail_agent_notices: bool = Field(
        default=True,
        description="mail agents when a ticket is assigned to them (by somebody "
        "else) and when the customer writes on a ticket they own",
    )
    mail_send_poll_seconds: float = Field(
        default=5, gt=0, le=3600, description="how often the outbox looks for mail due"
    )
    views_batch_size: int = Field(
        default=500, ge=1, le=100_000, description="events per view transaction"
    )
    views_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="how often the views look at the log without a wake-up",
    )
    seal_key: Path | None = Field(
        default=None,
        description="the seal keyring file: the secret every stored event is "
        "sealed with, kept out of the database; by default DATA_DIR/seal.key, "
        "made when a new store is first opened",
    )
    cipher_key: Path | None = Field(
        default=None,
        description="a key file (`tickettape cipher keygen` makes one): every "
        "event is then stored encrypted; only for a new store, and the store "
        "cannot be read without it",
    )
    checkpoint_key: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM) that signs audit checkpoints; "
        "`tickettape replay keygen` makes one",
    )
    checkpoint_public_key: Path | None = Field(
        default=None,
        description="Ed25519 public key (PEM) that checks checkpoints; "
        "by default the one of checkpoint_key",
    )

    checkpoint_interval: float = Field(
        default=3600.0,
        ge=0,
        le=366 * 86400,
        description="seconds between the checkpoints the chain keeper signs "
        "(with checkpoint_key set); 0 signs none",
    )
    checkpoint_dir: Path | None = Field(
        default=None,
        description="a directory (off the database host) the chain keeper also "
        "writes each checkpoint to",
    )

    @property
    def uses_postgres(self) -> bool:
        """True when the production store is selected."""
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def request_workers(self) -> int:
        """Threads that run requests' store work at once (api/workers.py)."""
        if self.worker_threads is not None:
            return self.worker_threads
        return POSTGRES_WORKERS if self.uses_postgres else SQLITE_WORKERS

    @property
    def event_store_path(self) -> Path:
        """The embedded SQLite event store file."""
        return self.data_dir / "events.sqlite3"

    @property
    def views_path(self) -> Path:
        """The embedded read models, in a database file of their own."""
        return self.data_dir / "views.sqlite3"

    @property
    def seal_key_path(self) -> Path:
        """The seal keyring file."""
        return self.seal_key or self.data_dir / "seal.key"

    @property
    def blob_dir(self) -> Path:
        """The directory of attachment blobs in embedded mode."""
        return self.data_dir / "blobs"
