"""Signing a checkpoint: only over an archive that verifies, against the last one."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from replay.checkpoint import Checkpoint, key_id, sign_checkpoint
from replay.ledger import Ledger
from replay.seals import Keyring
from replay.verdicts import Finding, Problem, Verdict
from replay.verify import verify_log


def stored_checkpoint(ledger: Ledger) -> Checkpoint | Finding | None:
    """The checkpoint saved last in the store; a finding if it is unreadable."""
    document = ledger.latest_checkpoint()
    if document is None:
        return None
    try:
        return Checkpoint.from_json(document)
    except ValueError as error:
        return Finding(Problem.BAD_CHECKPOINT, f"the stored checkpoint: {error}")


def sign_verified(
    ledger: Ledger, keyring: Keyring, key: Ed25519PrivateKey, *, again: bool = False
) -> Checkpoint | Finding | None:
    """Verify the archive (against the last checkpoint this key signed), then sign
    its chain head and keep the checkpoint in the store.

    The finding when the archive does not verify; None when there is nothing to
    sign (no chained event, or, unless `again`, no event since the last one).
    """
    latest = stored_checkpoint(ledger)
    if isinstance(latest, Finding):
        return latest
    public = key.public_key()
    if latest is not None and latest.key_id != key_id(public):
        # Signed with another (an earlier) key this one cannot check.
        latest = None
    verdict: Verdict = verify_log(ledger, keyring, latest, public if latest else None)
    if verdict.finding is not None:
        return verdict.finding
    if verdict.checked == 0:
        return None
    if latest is not None and latest.position == verdict.position and not again:
        return None
    signed = sign_checkpoint(
        key, verdict.position, verdict.head, verdict.checked, datetime.now(UTC)
    )
    ledger.save_checkpoint(signed.position, signed.to_json())
    return signed
