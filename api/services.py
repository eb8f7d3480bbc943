"""What the API needs from the composition root, passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from domain.attachments import BlobStore
from domain.desk import HelpDesk


@dataclass(frozen=True)
class Services:
    """The desk, the blob store and the edge's limits, built by tickettape.bootstrap."""

    desk: HelpDesk
    blobs: BlobStore
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 20
