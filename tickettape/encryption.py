"""Event state encrypted at rest (optional): the key file, and whether it fits.

With TICKETTAPE_CIPHER_KEY naming a key file, every event and snapshot is
stored encrypted (AES-256-GCM, eventsourcing's cipher on the `cryptography`
package): the event store's files, dumps and backups hold no ticket text. The
seals and the audit chain cover the stored bytes, so they verify as before,
and an export carries the ciphertext (`state_base64`), which only the key
opens. The read models (views) and the blobs (attachments, raw mails) are not
encrypted.

A store is encrypted or not from its first event on: the seals and the chain
cover the stored bytes, so its events cannot be encrypted afterwards, nor
decrypted. Opening a store with the wrong key, with a key it was not written
with, or without the key it was written with is refused before anything else.
"""

from __future__ import annotations

import binascii
import json
import os
from base64 import b64decode
from pathlib import Path

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import InterfaceError, OperationalError

from domain.desk import HelpDesk

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
#: AES-256.
KEY_BYTES = 32


def cipher_env(key_file: Path | None) -> dict[str, str]:
    """The eventsourcing settings that encrypt with the key in this file (none
    for no file); ValueError when the file holds no key."""
    if key_file is None:
        return {}
    return {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": read_key(key_file)}


def read_key(path: Path) -> str:
    """The base64 key in the file; ValueError when it is missing or not a key."""
    try:
        text = path.read_text().strip()
    except OSError as error:
        raise ValueError(f"cannot read the cipher key {path}: {error}") from None
    try:
        key = b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(
            f"{path} holds no cipher key (32 bytes, base64): "
            "`tickettape cipher keygen PATH` makes one"
        )
    return text


def write_key(path: Path) -> None:
    """Make a new key file, readable by its owner alone; never over another."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = AESCipher.create_key(KEY_BYTES)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")


def check_store(desk: HelpDesk, encrypted: bool) -> None:
    """Refuse a store whose first event this desk's key (or lack of one) cannot
    read; a store that does not answer now is left to its first reader."""
    try:
        first = desk.recorder.select_notifications(1, 1)
    except (OperationalError, InterfaceError):
        return
    if not first:
        return
    if encrypted:
        try:
            desk.mapper.to_domain_event(first[0])
        except ValueError:
            pass
        else:
            return
        if _in_the_clear(first[0].state):
            raise ValueError(
                "the store's events were written in the clear: "
                "TICKETTAPE_CIPHER_KEY can only be set on a new store (its seals "
                "and chain cover the bytes as stored)"
            )
        raise ValueError(
            "TICKETTAPE_CIPHER_KEY does not open the store's events: another key "
            "wrote them"
        )
    if not _in_the_clear(first[0].state):
        raise ValueError(
            "the store's events are encrypted: set TICKETTAPE_CIPHER_KEY to the "
            "key file they were written with"
        )


def _in_the_clear(state: bytes) -> bool:
    """Whether stored state is the JSON an event is written as without a cipher
    (ciphertext, random bytes behind a random nonce, never parses)."""
    try:
        json.loads(state)
    except ValueError:
        return False
    return True
