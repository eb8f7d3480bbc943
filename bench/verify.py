"""Scenario 6, verify and export: the audit tools' rates vs a raw scan of the log.

On a seeded store the chain is built and a checkpoint signed, as `tickettape
replay checkpoint` does; then `verify_log` (what `tickettape replay verify` runs,
checking that checkpoint) and `export_archive` (what `tickettape replay export`
runs, into a file in the bench's temp dir) are each timed against a raw keyset
scan that selects every column of the same event table and looks at every value.
Then a tenth more events are written and chained, and `verify_since` (`replay
verify --since-checkpoint`) is timed against the raw scan of those alone. Each
run alternates with its raw twin. One more row times the raw scan with the five
hashes verify computes for each event and nothing else: its ratio is the most
any verify that computes them could reach.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.helpdesk import open_desk
from bench.raw_scan import EventScan, touch
from bench.seeding import SEED_EVENTS, seed
from bench.stores import BenchStores
from replay.archive import export_archive
from replay.chain import BATCH, GENESIS, Rehashing, extend_chain
from replay.checkpoint import Checkpoint, sign_checkpoint
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.seals import Keyring, event_message, link_message, load_keyring, mac
from replay.verify import verify_log, verify_since

VERIFY = Target("verify", "Verify >= 0.5 of a raw scan", min_ratio=0.5)
#: What the row of the hashes alone shows.
HASHES_ALONE = (
    "the raw scan, and for each event the three SHA-256 and two keyed BLAKE2b "
    "verify computes, nothing compared; the ratio is the most a verify that "
    "computes them could reach of the raw scan"
)
# Timed runs of verify, of export and of each one's raw twin, by mode.
REPEATS = {"full": 5, "quick": 5, "tiny": 2}

Runs = tuple[list[float], list[float]]
"""Seconds of each run of ours, and of its raw twin."""


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """Verify, then export, each alternately with a raw scan of the same events."""
    settings = stores.new("verify")
    archive = stores.root / f"{settings.data_dir.name}-archive.jsonl"
    with contextlib.ExitStack() as stack:
        desk = open_desk(settings)
        stack.callback(desk.close)
        ledger = open_ledger(desk)
        stack.callback(ledger.close)
        scan = EventScan(settings, desk.recorder)
        stack.callback(scan.close)
        stack.callback(archive.unlink, missing_ok=True)
        top = seed(desk, SEED_EVENTS[counts.mode])
        keyring = load_keyring(settings.seal_key_path)
        began = time.perf_counter()
        extend_chain(ledger, keyring)
        chaining = time.perf_counter() - began
        key = Ed25519PrivateKey.generate()
        checkpoint = _checkpoint(ledger, keyring, key)
        events = checkpoint.count

        def verify() -> None:
            verdict = verify_log(ledger, keyring, checkpoint, key.public_key())
            if not verdict.clean or verdict.checked != events:
                raise RuntimeError(f"the seeded store did not verify: {verdict}")

        def export() -> None:
            with archive.open("w", encoding="utf-8") as file:
                written = export_archive(ledger, file.write)
            if written != events:
                raise RuntimeError(f"exported {written} of {events} events")

        def raw() -> None:
            _scan(scan, top)

        def hashes() -> None:
            _hashed(scan, top, keyring.current.secret)

        repeats = REPEATS[counts.mode]
        verified = _alternate(verify, raw, repeats)
        hashed = _alternate(hashes, raw, repeats)
        exported = _alternate(export, raw, repeats)

        # A tenth more, then only what came after the checkpoint.
        end = seed(desk, top + top // 10)
        extend_chain(ledger, keyring)
        later = end - checkpoint.position

        def since() -> None:
            verdict = verify_since(ledger, keyring, checkpoint, key.public_key())
            if not verdict.clean or verdict.checked != events + later:
                raise RuntimeError(f"the events since did not verify: {verdict}")

        def raw_since() -> None:
            _scan(scan, end, checkpoint.position)

        verified_since = _alternate(since, raw_since, repeats)
    notes = {"runs": repeats, "chain_built_events_per_s": round(events / chaining)}
    return [
        _comparison(stores.kind, "verify", events, verified, VERIFY, notes),
        _comparison(
            stores.kind,
            "the raw scan and the five hashes alone",
            events,
            hashed,
            None,
            {**notes, "ours_is": HASHES_ALONE},
        ),
        _comparison(stores.kind, "export", events, exported, None, notes),
        _comparison(
            stores.kind,
            "verify since the checkpoint",
            later,
            verified_since,
            None,
            {**notes, "events_before_the_checkpoint": events},
        ),
    ]


def _checkpoint(ledger: Ledger, keyring: Keyring, key: Ed25519PrivateKey) -> Checkpoint:
    """Verify once and sign the head, as `tickettape replay checkpoint` does."""
    verdict = verify_log(ledger, keyring)
    signed = sign_checkpoint(
        key, verdict.position, verdict.head, verdict.checked, datetime.now(UTC)
    )
    ledger.save_checkpoint(signed.position, signed.to_json())
    return signed


def _scan(scan: EventScan, events: int, after: int = 0) -> None:
    """Every column of every event after a position, a page of the replay
    tools' size at a time."""
    while page := scan.page(after, events, BATCH):
        touch(page)
        after = page[-1][0]


def _hashed(scan: EventScan, events: int, secret: bytes) -> None:
    """Every event of the raw scan, with the five hashes verify computes for it:
    the event's, both chains' after it, and the keyed hashes of its seal and link."""
    rehashing = Rehashing()
    aggregates: dict[str, bytes] = {}
    head = GENESIS
    previous: tuple[int, str | None, int | None] = (0, None, None)
    after = 0
    while page := scan.page(after, events, BATCH):
        for at, originator, version, topic, state in page:
            name = str(originator)
            hashed = rehashing.hashes(
                aggregates.get(name, GENESIS), head, at, name, version, topic, state
            )
            mac(secret, event_message(at, hashed[0]))
            mac(secret, link_message(at, previous, hashed))
            aggregates[name], head = hashed[1], hashed[2]
            previous = (at, name, version)
        after = page[-1][0]


def _alternate(ours: Callable[[], None], raw: Callable[[], None], repeats: int) -> Runs:
    """Seconds of each run of ours and of raw; which goes first alternates."""
    runs: Runs = ([], [])
    pair = [(ours, runs[0]), (raw, runs[1])]
    for repeat in range(repeats):
        for work, sink in pair if repeat % 2 == 0 else pair[::-1]:
            began = time.perf_counter()
            work()
            sink.append(time.perf_counter() - began)
    return runs


def _comparison(
    store: str,
    what: str,
    events: int,
    runs: Runs,
    target: Target | None,
    notes: Mapping[str, object],
) -> Comparison:
    ours, raw = runs
    return Comparison(
        scenario="verify",
        store=store,
        name=f"{what}, {events:,} events",
        ours=Figure.of("events/s", ours, [events / s for s in ours]),
        baseline=Figure.of("events/s", raw, [events / s for s in raw]),
        baseline_name="raw keyset scan of every column of the event table",
        measure="rate",
        target=target,
        notes={**notes, "latency_is": "per whole run over the log"},
    )
