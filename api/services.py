"""What the API needs from the composition root, passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.stream_seats import StreamSeats
from api.throttle import AuthThrottle
from domain.attachments import BlobStore
from domain.desk import HelpDesk
from mail.intake import MailIntake
from projections.engine.runner import ViewRunner
from replay.keeper import ChainKeeper


@dataclass(frozen=True)
class Services:
    """The desk, blob store, views and edge's limits, built by tickettape.bootstrap."""

    desk: HelpDesk
    blobs: BlobStore
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 20
    # The largest body that is neither multipart nor a raw mail (JSON).
    max_request_bytes: int = 8 * 1024 * 1024
    # Seconds a client may leave between two parts of a body (then 408).
    body_idle_seconds: float = 30.0
    # The read side; None where only the write side runs (the list answers 503).
    views: ViewRunner | None = None
    # The audit chain's keeper, for its position in /metrics.
    chain: ChainKeeper | None = None
    # The mail intake on the settings' terms (None: the default terms).
    mail: MailIntake | None = None
    # Turns away clients that keep presenting bad tokens (None: nobody).
    auth_throttle: AuthThrottle | None = None
    # The activity streams each caller may keep open at once.
    stream_seats: StreamSeats = field(default_factory=lambda: StreamSeats(8))
    # Threads that run requests' store work at once (api/workers.py); None
    # leaves anyio's own default.
    worker_threads: int | None = None
