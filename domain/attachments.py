"""Attachments live in a content-addressed blob store; events carry only references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AttachmentRef:
    """A reference to stored content: name, media type, size and sha256."""

    name: str
    content_type: str
    size: int
    sha256: str


class BlobStore(Protocol):
    """Where attachment content is kept, addressed by its sha256."""

    def put(self, content: bytes) -> str:
        """Store content (idempotently) and return its sha256 hex digest."""
        ...

    def get(self, sha256: str) -> bytes | None:
        """The content with this digest, or None."""
        ...
