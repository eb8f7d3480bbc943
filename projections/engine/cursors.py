"""Opaque page cursors: a small JSON list, URL-safe base64 without padding."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
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


def pack_key(kind: str, key: Sequence[Any]) -> str:
    """A cursor for the page after the row with this key in a `kind` list."""
    return pack([kind, *key])


def unpack_key(cursor: str, kind: str, types: Sequence[type]) -> list[Any]:
    """The key inside a cursor of a `kind` list whose key has values of these
    types; InvalidValue for anything else."""
    found = unpack(cursor)
    if (
        not isinstance(found, list)
        or not found
        or found[0] != kind
        or [type(value) for value in found[1:]] != list(types)
    ):
        raise InvalidValue("the cursor is malformed or belongs to another list")
    return list(found[1:])


def within_queues(
    allowed: Sequence[str] | None, asked: Sequence[str]
) -> tuple[list[str], list[Any]]:
    """Conditions on a `queue` column: among the allowed (None: any) and, if any
    are asked for, among those. No queue at all matches nothing."""
    where: list[str] = []
    params: list[Any] = []
    for queues in (allowed, asked or None):
        if queues is not None:
            # "IN ()" is no SQL; no queue is named "".
            chosen = queues or ("",)
            where.append(f"queue IN ({', '.join('?' for _ in chosen)})")
            params.extend(chosen)
    return where, params
