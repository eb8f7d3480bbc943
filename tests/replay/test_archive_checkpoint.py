"""Import and verify-archive against a signed checkpoint: forgeries are refused."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.desk import HelpDesk
from replay.archive import ArchiveError, archive_line, check_archive, parse_line
from replay.chain import GENESIS, aggregate_hash, event_hash, global_hash
from replay.checkpoint import (
    Checkpoint,
    load_public_key,
    load_signing_key,
    sign_checkpoint,
)
from replay.records import ChainLink, StoredRecord
from tests.replay.cli import replay, store_env
from tests.stores import new_schema_name
from tests.writing import end_of_log, open_tickets
from tickettape.cli_replay import TAMPERED
from tools.throwaway_postgres import drop_schemas, with_schema

Records = list[StoredRecord]


def forged_links(records: Records) -> list[ChainLink]:
    """The chain hashes of records, recomputed as anyone can (no key needed)."""
    links = []
    head, last = GENESIS, dict[str, bytes]()
    for record in records:
        own = event_hash(record)
        last[record.originator_id] = aggregate_hash(
            last.get(record.originator_id, GENESIS), own
        )
        head = global_hash(head, record.notification_id, own)
        links.append(
            ChainLink(
                record.notification_id,
                record.originator_id,
                record.version,
                own,
                last[record.originator_id],
                head,
            )
        )
    return links


class Sealed:
    """A store with a signed checkpoint in the middle, and its archive after more."""

    def __init__(self, env: dict[str, str], root: Path) -> None:
        self.key = root / "audit.pem"
        assert replay(env, "keygen", str(self.key))[0] == 0
        self.env = {**env, "TICKETTAPE_CHECKPOINT_KEY": str(self.key)}
        self.checkpoint = root / "checkpoint.json"
        code, said = replay(self.env, "checkpoint", "--out", str(self.checkpoint))
        assert code == 0, said
        self.position = Checkpoint.from_json(self.checkpoint.read_text()).position
        with closing(HelpDesk(env=store_env(env))) as desk:
            open_tickets(desk, 2)
            self.top = end_of_log(desk)
        self.archive = root / "archive.jsonl"
        code, said = replay(self.env, "export", "--out", str(self.archive))
        assert code == 0, said

    def rewrite(self, edit: Callable[[Records], Records]) -> None:
        """Edit the archive's events and recompute every hash, as a forger would."""
        lines = self.archive.read_text().splitlines()
        records = edit([parse_line(text, n)[0] for n, text in enumerate(lines, 1)])
        links = forged_links(records)
        self.archive.write_text(
            "".join(
                archive_line(r, k) + "\n" for r, k in zip(records, links, strict=True)
            )
        )

    def load(self, target: dict[str, str], *options: str) -> tuple[int, str]:
        """`replay import` of the archive into the target, with the checkpoint."""
        checkpoint = ("--checkpoint", str(self.checkpoint))
        return replay(target, "import", str(self.archive), *checkpoint, *options)


@pytest.fixture
def sealed(cli_env: dict[str, str], tmp_path: Path) -> Sealed:
    """A checkpointed store of each kind and its archive."""
    return Sealed(cli_env, tmp_path)


@pytest.fixture
def empty(
    cli_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[dict[str, str]]:
    """The CLI environment of another, empty store of the same kind."""
    env = {**cli_env, "TICKETTAPE_DATA_DIR": str(tmp_path / "new")}
    if not cli_env["TICKETTAPE_DATABASE_URL"]:
        yield env
        return
    url = request.getfixturevalue("postgres_url")
    schema = new_schema_name()
    yield {**env, "TICKETTAPE_DATABASE_URL": with_schema(url, schema)}
    drop_schemas(url, schema)


def nothing_written(env: dict[str, str]) -> bool:
    """The store holds no event."""
    with closing(HelpDesk(env=store_env(env))) as desk:
        return end_of_log(desk) == 0


def test_an_honest_archive_matches_its_checkpoint_and_imports(
    sealed: Sealed, empty: dict[str, str]
) -> None:
    assert sealed.top > sealed.position
    code, said = replay(
        sealed.env,
        "verify-archive",
        str(sealed.archive),
        "--checkpoint",
        str(sealed.checkpoint),
    )
    assert code == 0, said
    assert "holds" in said
    code, said = sealed.load({**empty, "TICKETTAPE_CHECKPOINT_KEY": str(sealed.key)})
    assert code == 0, said
    assert "matches the checkpoint" in said
    assert replay(empty, "verify")[0] == 0


def test_a_consistently_rehashed_forgery_is_refused_at_the_checkpoint(
    sealed: Sealed, empty: dict[str, str]
) -> None:
    def forge(records: Records) -> Records:
        at = next(i for i, r in enumerate(records) if b"smokes" in r.state)
        forged = replace(
            records[at], state=records[at].state.replace(b"smokes", b"sparks")
        )
        return [*records[:at], forged, *records[at + 1 :]]

    sealed.rewrite(forge)
    public = f"--public-key={sealed.key}.pub"
    assert replay(empty, "verify-archive", str(sealed.archive))[0] == 0
    code, said = sealed.load(empty, public)
    assert code == 1
    assert f"head differs at position {sealed.position}" in said
    assert nothing_written(empty)
    code, said = replay(
        empty,
        "verify-archive",
        str(sealed.archive),
        "--checkpoint",
        str(sealed.checkpoint),
        public,
    )
    assert (code, "head differs" in said) == (TAMPERED, True)


def test_a_truncated_archive_is_refused(sealed: Sealed, empty: dict[str, str]) -> None:
    kept = [
        line
        for line in sealed.archive.read_text().splitlines(keepends=True)
        if json.loads(line)["id"] < sealed.position
    ]
    sealed.archive.write_text("".join(kept))
    code, said = sealed.load(empty, f"--public-key={sealed.key}.pub")
    assert code == 1
    assert f"before the checkpoint's position {sealed.position}" in said
    assert nothing_written(empty)


def test_a_checkpoint_signed_by_another_key_is_refused(
    sealed: Sealed, empty: dict[str, str], tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    assert replay(empty, "keygen", str(other))[0] == 0
    honest = Checkpoint.from_json(sealed.checkpoint.read_text())
    forged = sign_checkpoint(
        load_signing_key(other),
        honest.position,
        bytes.fromhex(honest.head),
        honest.count,
        datetime.now(UTC),
    )
    sealed.checkpoint = tmp_path / "forged.json"
    sealed.checkpoint.write_text(forged.to_json())
    code, said = sealed.load(empty, f"--public-key={sealed.key}.pub")
    assert code == 1
    assert "bad signature" in said
    assert nothing_written(empty)


def test_an_archive_without_the_checkpoints_event_is_refused(
    sealed: Sealed,
) -> None:
    def remove(records: Records) -> Records:
        # The event there, and the rest of its stream, so its versions stay gapless.
        gone = next(r for r in records if r.notification_id == sealed.position)
        return [
            r
            for r in records
            if r.originator_id != gone.originator_id or r.version < gone.version
        ]

    sealed.rewrite(remove)
    checkpoint = Checkpoint.from_json(sealed.checkpoint.read_text())
    key = load_public_key(sealed.key)
    with pytest.raises(
        ArchiveError, match=f"no event at the checkpoint's position {sealed.position}"
    ):
        check_archive(sealed.archive, checkpoint, key)
    lines = len(sealed.archive.read_text().splitlines())
    assert check_archive(sealed.archive) == lines


def test_a_checkpoint_without_a_key_or_file_is_a_clear_error(
    sealed: Sealed, empty: dict[str, str], tmp_path: Path
) -> None:
    code, said = sealed.load(empty)
    assert (code, "--public-key" in said) == (1, True)
    sealed.checkpoint = tmp_path / "missing.json"
    code, said = sealed.load(empty, f"--public-key={sealed.key}.pub")
    assert (code, "cannot use the checkpoint file" in said) == (1, True)
    assert nothing_written(empty)
