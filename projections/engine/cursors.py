"""Opaque page cursors: a small JSON list, URL-safe base64 without padding."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from domain.errors import InvalidValue


def pack(parts: list[Any]) -> str:
    """An opaque, URL-safe token holding these parts."""
    text = json.dumps(parts, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unpack(cursor: str) -> Any:
    """What a token holds; InvalidValue if it is no token at all."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidValue("the cursor is malformed") from None
