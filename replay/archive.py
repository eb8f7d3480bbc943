"""The archive: every stored event as a JSON line with its hashes, and its restore.

One line per event, in log order: `id` (notification id), `originator_id`,
`version`, `topic`, the stored `state` decoded as JSON (or `state_base64` when the
stored bytes are not JSON that re-encodes to exactly the same bytes, e.g. under a
cipher or compressor), and the chain's `event_hash`, `aggregate_hash` and
`global_hash` in hex (seals are not in it: they need the store's secret key, and
an import seals every event anew with the target store's). An import checks every
line against its hashes before it writes anything, so the restored store verifies
clean with identical event and aggregate hashes; global hashes are identical when
the log positions are.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from replay.archive_checkpoint import CheckpointWatch
from replay.chain import (
    BATCH,
    GENESIS,
    aggregate_hash,
    event_hash,
    extend_chain,
    global_hash,
)
from replay.checkpoint import Checkpoint, signature_problem
from replay.ledger import Ledger
from replay.records import END, ChainLink, StoredRecord
from replay.seals import Keyring

# Called with how many events are done and how many there are in all.
Progress = Callable[[int, int], None]
# The same JSON encoding eventsourcing stores state with.
_STATE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_LINE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class ArchiveError(Exception):
    """An archive that cannot be written or restored; says where and why."""


@dataclass(frozen=True, slots=True)
class Restored:
    """What an import wrote: how many events, and whether positions were kept."""

    count: int
    same_positions: bool


def _quiet(done: int, total: int) -> None:
    """Report no progress."""


def _state(state: bytes) -> tuple[str, Any]:
    """The state as JSON if it re-encodes to the same bytes, else as base64."""
    try:
        value = json.loads(state)
        if _STATE.encode(value).encode() == state:
            return "state", value
    except ValueError:  # UnicodeDecodeError included
        pass
    return "state_base64", b64encode(state).decode()


def archive_line(record: StoredRecord, link: ChainLink) -> str:
    """The archive line of one stored event and its chain link."""
    line: dict[str, Any] = {
        "id": record.notification_id,
        "originator_id": record.originator_id,
        "version": record.version,
        "topic": record.topic,
    }
    key, value = _state(record.state)
    line[key] = value
    line["event_hash"] = link.event_hash.hex()
    line["aggregate_hash"] = link.aggregate_hash.hex()
    line["global_hash"] = link.global_hash.hex()
    return _LINE.encode(line)


def export_archive(
    ledger: Ledger, write: Callable[[str], object], progress: Progress = _quiet
) -> int:
    """Write every chained event as an archive line (newline ended); how many."""
    head = ledger.head()
    stop = 0 if head is None else head.notification_id
    after, count = 0, 0
    while records := ledger.records(after, stop, BATCH):
        links = ledger.links(after, stop, BATCH)
        for record, link in zip(records, links, strict=False):
            if link.notification_id != record.notification_id or event_hash(record) != (
                link.event_hash
            ):
                raise ArchiveError(
                    f"the event at position {record.notification_id} does not match "
                    "its chain; run `tickettape replay verify`"
                )
            write(archive_line(record, link) + "\n")
        if len(links) != len(records):
            raise ArchiveError("the chain does not cover the log; run replay verify")
        count += len(records)
        after = records[-1].notification_id
        progress(after, stop)
    return count


def parse_line(text: str, number: int) -> tuple[StoredRecord, ChainLink]:
    """The stored record and chain link on an archive line; ArchiveError if bad."""
    try:
        line = json.loads(text)
        if "state_base64" in line:
            state = b64decode(line["state_base64"], validate=True)
        else:
            state = _STATE.encode(line["state"]).encode()
        record = StoredRecord(
            int(line["id"]),
            str(UUID(line["originator_id"])),
            int(line["version"]),
            str(line["topic"]),
            state,
        )
        own, by_aggregate, head = (
            bytes.fromhex(line[name])
            for name in ("event_hash", "aggregate_hash", "global_hash")
        )
    except (ValueError, TypeError, KeyError) as error:
        raise ArchiveError(f"line {number}: not an archive line ({error})") from None
    link = ChainLink(
        record.notification_id,
        record.originator_id,
        record.version,
        own,
        by_aggregate,
        head,
    )
    return record, link


def read_archive(
    path: Path, checkpoint: Checkpoint | None = None
) -> Iterator[tuple[int, StoredRecord, ChainLink]]:
    """Each line's number, record and link, checked against the chain it carries.

    With a checkpoint (its signature checked already), the chain must also reach
    the checkpoint's position with its head and count.
    """
    watch = None if checkpoint is None else CheckpointWatch(checkpoint)
    last: dict[str, tuple[int, bytes]] = {}
    previous, position = GENESIS, 0
    with path.open(encoding="utf-8") as file:
        for number, text in enumerate(file, 1):
            if not text.strip():
                continue
            record, link = parse_line(text, number)
            where = f"line {number} ({record.originator_id} v{record.version})"
            own = event_hash(record)
            if own != link.event_hash:
                raise ArchiveError(f"{where}: the event does not match its event_hash")
            version, chained = last.get(record.originator_id, (0, GENESIS))
            if version and record.version != version + 1:
                raise ArchiveError(f"{where}: follows version {version} of its stream")
            if aggregate_hash(chained, own) != link.aggregate_hash:
                raise ArchiveError(f"{where}: breaks its aggregate chain")
            if record.notification_id <= position:
                raise ArchiveError(f"{where}: out of log order")
            previous = global_hash(previous, record.notification_id, own)
            if previous != link.global_hash:
                raise ArchiveError(f"{where}: breaks the global chain")
            if watch is not None and (differs := watch.step(link)):
                raise ArchiveError(differs)
            last[record.originator_id] = (record.version, link.aggregate_hash)
            position = record.notification_id
            yield number, record, link
    if watch is not None and (differs := watch.end()):
        raise ArchiveError(differs)


def check_archive(
    path: Path,
    checkpoint: Checkpoint | None = None,
    key: Ed25519PublicKey | None = None,
) -> int:
    """Check every line, and the archive against a signed checkpoint; how many."""
    if checkpoint is not None:
        if key is None:
            raise ValueError("checking a checkpoint needs the public key")
        problem = signature_problem(checkpoint, key)
        if problem is not None:
            raise ArchiveError(
                f"bad signature on the checkpoint of {checkpoint.at}: {problem}"
            )
    return sum(1 for _ in read_archive(path, checkpoint))


def import_archive(
    ledger: Ledger,
    recorder: ApplicationRecorder,
    path: Path,
    keyring: Keyring,
    progress: Progress = _quiet,
    checkpoint: Checkpoint | None = None,
    key: Ed25519PublicKey | None = None,
) -> Restored:
    """Check the archive (and checkpoint), write it into an empty store, compare."""
    if recorder.max_notification_id() or ledger.head() is not None:
        raise ArchiveError("the target store is not empty; import only into a new one")
    total = check_archive(path, checkpoint, key)
    batch: list[StoredEvent] = []
    done = 0
    for _, record, _ in read_archive(path, checkpoint):
        batch.append(
            StoredEvent(
                UUID(record.originator_id), record.version, record.topic, record.state
            )
        )
        if len(batch) == BATCH:
            recorder.insert_events(batch)
            done += len(batch)
            batch = []
            progress(done, total)
    if batch:
        recorder.insert_events(batch)
    progress(total, total)
    # The recorder sealed each event with this store's keys as it wrote it.
    _, stopped = extend_chain(ledger, keyring)
    if stopped is not None:
        raise ArchiveError(
            f"the restored event at position {stopped.notification_id} could not be "
            f"chained: {stopped.detail}"
        )
    return _compare(ledger, path, total)


def _compare(ledger: Ledger, path: Path, total: int) -> Restored:
    """Check the new chain against the archive's, line by line."""
    same_positions, after, count = True, 0, 0
    archived = read_archive(path)
    while links := ledger.links(after, END, BATCH):
        for link in links:
            number, _, kept = next(archived, (0, None, None))
            if kept is None or (link.originator_id, link.version, link.event_hash) != (
                kept.originator_id,
                kept.version,
                kept.event_hash,
            ):
                raise ArchiveError(f"restored event {count + 1} is not line {number}")
            if link.aggregate_hash != kept.aggregate_hash:
                raise ArchiveError(f"line {number}: restored with another chain hash")
            same_positions &= link.global_hash == kept.global_hash
            count += 1
        after = links[-1].notification_id
    if count != total:
        raise ArchiveError(f"restored {count} of the archive's {total} events")
    return Restored(count, same_positions)
