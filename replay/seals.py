"""Seals: keyed MACs over each stored event and each chain link.

The key is not in the database (a keyring file, or wherever the settings point), so
a row written by anyone who can reach the database but not the key carries no valid
seal. An event's seal is made in the transaction that stores it and covers its log
position and its event hash (originator id, version, topic and state); a chain
link's seal covers the link whole, so the chain cannot be recomputed without the
key either.

The keyring holds every key that ever sealed: the last one seals, all of them
check. A retired key checks only seals at or before the position it was retired at,
so a leaked old key cannot seal new events that pass.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from dataclasses import dataclass, field, replace
from hashlib import blake2b, sha256
from pathlib import Path

FORMAT = "tickettape-seal-key/1"
_EVENT = b"tickettape/seal/1"
_LINK = b"tickettape/link-seal/1"
_KEY_ID = b"tickettape/seal-key-id/1"
SECRET_BYTES = 32


class KeyringError(Exception):
    """A keyring that cannot be read, written or used; says what to do."""


@dataclass(frozen=True)
class SealKey:
    """One secret of the keyring, its public name, and where it stopped sealing."""

    secret: bytes = field(repr=False)
    retired_after: int | None = None
    # A short name for the key that reveals nothing of it.
    key_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "key_id", sha256(_KEY_ID + self.secret).hexdigest()[:16]
        )


def mac(secret: bytes, message: bytes) -> bytes:
    """The seal of a message: keyed BLAKE2b-256 (RFC 7693's MAC).

    A third of HMAC-SHA256's cost here, which verify pays twice per event.
    """
    return blake2b(message, key=secret, digest_size=32).digest()


def _number(value: int) -> bytes:
    return value.to_bytes(8, "big", signed=True)


def _text(value: str | None) -> bytes:
    data = b"" if value is None else value.encode()
    return _number(len(data)) + data


def event_message(position: int, event_hash: bytes) -> bytes:
    """What an event's seal covers: its log position and its event hash."""
    return _EVENT + _number(position) + event_hash


def link_message(
    position: int,
    previous: tuple[int, str | None, int | None],
    hashes: tuple[bytes, bytes, bytes],
) -> bytes:
    """What a chain link's seal covers: its position, what it follows, its hashes."""
    previous_id, previous_originator, previous_version = previous
    return b"".join(
        (
            _LINK,
            _number(position),
            _number(previous_id),
            _text(previous_originator),
            _number(previous_version or 0),
            *hashes,
        )
    )


@dataclass(frozen=True)
class Keyring:
    """The seal keys: the last one seals; each checks the seals it made."""

    keys: tuple[SealKey, ...]
    by_id: dict[str, SealKey] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyringError("a keyring needs at least one key")
        object.__setattr__(self, "by_id", {key.key_id: key for key in self.keys})

    @property
    def current(self) -> SealKey:
        """The key that seals."""
        return self.keys[-1]

    def sign(self, message: bytes) -> tuple[str, bytes]:
        """The current key's id and its seal over a message."""
        key = self.current
        return key.key_id, mac(key.secret, message)

    def key_problem(self, key_id: str, position: int) -> str | None:
        """Why a key cannot have sealed at a position; None if it may have."""
        key = self.by_id.get(key_id)
        if key is None:
            return f"it is sealed with key {key_id}, which the keyring does not hold"
        if key.retired_after is not None and position > key.retired_after:
            return (
                f"it is sealed with key {key_id}, which was retired after position "
                f"{key.retired_after}"
            )
        return None

    def secret_at(self, key_id: str, position: int) -> bytes | None:
        """The secret of a key that may have sealed at a position, else None."""
        key = self.by_id.get(key_id)
        if key is None or (
            key.retired_after is not None and position > key.retired_after
        ):
            return None
        return key.secret

    def holds(self, key_id: str, message: bytes, seal: bytes) -> bool:
        """True when the seal is the named key's MAC of the message."""
        key = self.by_id.get(key_id)
        return key is not None and hmac.compare_digest(mac(key.secret, message), seal)

    def rotated(self) -> Keyring:
        """This keyring with a new current key; the old ones still check."""
        return Keyring((*self.keys, SealKey(secrets.token_bytes(SECRET_BYTES))))

    def retired(self, after: int) -> Keyring:
        """Every key but the current one checks only seals up to a position."""
        kept = tuple(
            key if key.retired_after is not None else replace(key, retired_after=after)
            for key in self.keys[:-1]
        )
        return Keyring((*kept, self.current))

    def to_text(self) -> str:
        """The keyring file's contents."""
        lines = [
            "# tickettape seal keys: the last one seals new events, all of them check.",
            "# Keep this file secret and out of the database and its backups.",
        ]
        for key in self.keys:
            line = f"{FORMAT} {key.secret.hex()}"
            if key.retired_after is not None:
                line += f" retired-after={key.retired_after}"
            lines.append(line)
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str, where: str) -> Keyring:
        """The keyring in a file's contents; KeyringError says what is wrong."""
        keys = []
        for number, line in enumerate(text.splitlines(), 1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            keys.append(_key(words, f"{where} line {number}"))
        if not keys:
            raise KeyringError(f"{where} holds no seal key")
        return cls(tuple(keys))


def _key(words: list[str], where: str) -> SealKey:
    if words[0] != FORMAT or len(words) not in (2, 3):
        raise KeyringError(f"{where}: not a seal key line ({FORMAT} HEX)")
    try:
        secret = bytes.fromhex(words[1])
    except ValueError:
        raise KeyringError(f"{where}: the key is not hexadecimal") from None
    if len(secret) != SECRET_BYTES:
        raise KeyringError(f"{where}: a key has {SECRET_BYTES} bytes")
    retired = None
    if len(words) == 3:
        name, _, value = words[2].partition("=")
        if name != "retired-after" or not value.isdigit():
            raise KeyringError(f"{where}: expected retired-after=POSITION")
        retired = int(value)
    return SealKey(secret, retired)


def load_keyring(path: Path) -> Keyring:
    """The keyring in a file; KeyringError when it is missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as missing:
        raise KeyringError(f"no seal keyring at {path}") from missing
    except (OSError, UnicodeDecodeError) as error:
        raise KeyringError(f"cannot read the seal keyring {path}: {error}") from None
    return Keyring.from_text(text, str(path))


def create_keyring(path: Path) -> Keyring:
    """A new keyring with one key, in a new file only its owner may read."""
    keyring = Keyring((SealKey(secrets.token_bytes(SECRET_BYTES)),))
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never overwrite a key that has sealed events already.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(keyring.to_text())
    return keyring


def save_keyring(path: Path, keyring: Keyring) -> None:
    """Replace the keyring file atomically (a reader sees the old or the new one)."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(keyring.to_text())
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class KeyringFile:
    """A keyring file read again whenever it changes, so a rotation takes effect in
    running processes too; if it vanishes, the keys read last stay in use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._keyring: Keyring | None = None
        self._reading = threading.Lock()

    def keyring(self) -> Keyring:
        """The keys as the file holds them now; KeyringError if it never could."""
        try:
            info = self.path.stat()
        except OSError as error:
            if self._keyring is not None:
                return self._keyring
            raise KeyringError(
                f"no seal keyring at {self.path}: {error.strerror}"
            ) from None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        if stamp != self._stamp or self._keyring is None:
            with self._reading:
                if stamp != self._stamp or self._keyring is None:
                    self._keyring = load_keyring(self.path)
                    self._stamp = stamp
        return self._keyring
