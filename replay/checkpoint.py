"""Signed checkpoints of the chain head, and the Ed25519 keys that sign them.

A checkpoint says: up to this log position the archive held this many events and
its global chain ended in this hash. Signed with a private key the store never
holds, it lets an auditor with only the public key prove that nothing up to that
position was rewritten, removed or truncated since, even by someone who also
recomputed the chain table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

FORMAT = "tickettape-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """A log position, the chain head there, the event count, and a signature."""

    position: int
    head: str
    count: int
    at: str
    key_id: str
    signature: str = ""

    def signed_bytes(self) -> bytes:
        """The canonical bytes the signature covers: every field but itself."""
        fields = asdict(self)
        del fields["signature"]
        fields["format"] = FORMAT
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        """The document an auditor keeps."""
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """A checkpoint from its document; ValueError if it is not one."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"not a checkpoint document: {error}") from None
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError(f"not a checkpoint document (format {FORMAT} expected)")
        try:
            checkpoint = cls(**data)
        except TypeError as error:
            raise ValueError(f"not a checkpoint document: {error}") from None
        ints = (checkpoint.position, checkpoint.count)
        texts = (
            checkpoint.head,
            checkpoint.at,
            checkpoint.key_id,
            checkpoint.signature,
        )
        if not all(type(v) is int for v in ints) or not all(
            isinstance(v, str) for v in texts
        ):
            raise ValueError("not a checkpoint document: a field has the wrong type")
        return checkpoint


def sign_checkpoint(
    key: Ed25519PrivateKey, position: int, head: bytes, count: int, at: datetime
) -> Checkpoint:
    """A checkpoint of the chain head at a position, signed with the key."""
    unsigned = Checkpoint(
        position=position,
        head=head.hex(),
        count=count,
        at=at.isoformat(),
        key_id=key_id(key.public_key()),
    )
    signature = key.sign(unsigned.signed_bytes()).hex()
    return Checkpoint(**{**asdict(unsigned), "signature": signature})


def signature_problem(checkpoint: Checkpoint, key: Ed25519PublicKey) -> str | None:
    """Why the checkpoint's signature does not hold for the key; None if it does."""
    if checkpoint.key_id != key_id(key):
        return (
            f"it names key {checkpoint.key_id}, not the given public key {key_id(key)}"
        )
    try:
        key.verify(bytes.fromhex(checkpoint.signature), checkpoint.signed_bytes())
    except (ValueError, InvalidSignature):
        return "its signature does not verify: the document was altered or forged"
    return None


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint that names a public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256(raw).hexdigest()[:16]


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair as PEM: the private key, then the public one."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file; ValueError says what is wrong."""
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (TypeError, UnsupportedAlgorithm, ValueError) as error:
        raise ValueError(f"{path} holds no usable private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds no Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file (or the one of a private key there)."""
    data = _read(path)
    if b"PRIVATE KEY" in data:
        return load_signing_key(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (UnsupportedAlgorithm, ValueError) as error:
        raise ValueError(f"{path} holds no usable public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} holds no Ed25519 public key")
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read the key file {path}: {error.strerror}") from None
