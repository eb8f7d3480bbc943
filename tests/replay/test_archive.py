"""Export to JSONL and import into an empty store: same tickets, same hashes."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import DomainError
from replay.archive import (
    ArchiveError,
    archive_line,
    export_archive,
    import_archive,
    parse_line,
)
from replay.chain import extend_chain
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.records import END, ChainLink, StoredRecord
from replay.verify import verify_log
from tests.replay.cli import replay, store_env
from tests.replay.sealing import keyring_of
from tests.stores import DeskFactory, StoreEnvs, new_schema_name
from tickettape.settings import Settings
from tickettape.stores import event_store_env
from tools.throwaway_postgres import drop_schemas, with_schema

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")
COMMANDS = st.lists(
    st.tuples(
        st.sampled_from(["open", "tag", "priority", "status", "note"]),
        st.sampled_from(["low", "high", "open", "closed", "vip", "ümlaut ✓"]),
    ),
    max_size=12,
)


def article(n: int, body: str = "The printer smokes.") -> Article:
    """A customer's public article."""
    return Article(f"a{n}", "customer", "public", "web", body)


def fill(desk: HelpDesk, commands: list[tuple[str, str]]) -> list[str]:
    """Open a ticket, then run the commands (refused ones are skipped)."""
    numbers = [
        desk.open_ticket(
            TicketDraft("Printer", "bob@acme.test"), article(0), BOB
        ).number
    ]
    for n, (kind, value) in enumerate(commands, 1):
        number = numbers[n % len(numbers)]
        try:
            if kind == "open":
                draft = TicketDraft(f"Ticket {value}", "bob@acme.test")
                numbers.append(desk.open_ticket(draft, article(n, value), BOB).number)
            elif kind == "tag":
                desk.tag(number, value, ALICE)
            elif kind == "priority":
                desk.change_priority(number, value, ALICE)
            elif kind == "status":
                desk.change_status(number, value, None, "", ALICE)
            else:
                desk.add_article(number, article(n, value), BOB)
        except DomainError:
            pass
    return numbers


@contextmanager
def chained(env: dict[str, str]) -> Iterator[tuple[HelpDesk, Ledger]]:
    """An (uninitialized) desk on the store and its ledger, chained; closed after."""
    desk = HelpDesk(env=dict(env))
    ledger = open_ledger(desk)
    try:
        # What the chain keeper does as events land.
        assert extend_chain(ledger, keyring_of(env))[1] is None
        yield desk, ledger
    finally:
        ledger.close()
        desk.close()


def all_links(ledger: Ledger) -> list[ChainLink]:
    """The whole chain."""
    return ledger.links(0, END, 1_000_000)


def round_trip(source: dict[str, str], target: dict[str, str], path: Path) -> None:
    """Export the source store to a file, import it into the target, compare."""
    with chained(source) as (_, ledger), path.open("w") as file:
        count = export_archive(ledger, file.write)
        before = all_links(ledger)
    assert count == len(before) == len(path.read_text().splitlines())
    with chained(target) as (desk2, ledger2):
        restored = import_archive(ledger2, desk2.recorder, path, keyring_of(target))
        after = all_links(ledger2)
        assert restored.count == count
        assert verify_log(ledger2, keyring_of(target)).clean
    assert [
        (k.originator_id, k.version, k.event_hash, k.aggregate_hash) for k in after
    ] == [(k.originator_id, k.version, k.event_hash, k.aggregate_hash) for k in before]
    assert restored.same_positions == (
        [k.notification_id for k in after] == [k.notification_id for k in before]
    )


def same_tickets(
    source: dict[str, str], target: dict[str, str], numbers: list[str]
) -> None:
    """Every ticket loads alike from both stores."""
    with chained(source) as (old, _), chained(target) as (new, _):
        for number in numbers:
            assert vars(new.ticket(number)) == vars(old.ticket(number))


def test_export_import_round_trip(
    durable_stores: StoreEnvs, desk_factory: DeskFactory, tmp_path: Path
) -> None:
    source = durable_stores.new()
    numbers = fill(
        desk_factory(source), [("open", "x"), ("tag", "vip"), ("status", "closed")]
    )
    target = durable_stores.new()
    round_trip(source, target, tmp_path / "archive.jsonl")
    same_tickets(source, target, numbers)
    line = json.loads((tmp_path / "archive.jsonl").read_text().splitlines()[-1])
    assert set(line) == {
        "id",
        "originator_id",
        "version",
        "topic",
        "state",
        "event_hash",
        "aggregate_hash",
        "global_hash",
    }
    assert isinstance(line["state"], dict)


@pytest.mark.postgres
def test_sqlite_archive_restores_into_postgres(
    desk_factory: DeskFactory, tmp_path: Path, postgres_schema_url: str
) -> None:
    source = event_store_env(Settings(database_url="", data_dir=tmp_path / "var"))
    numbers = fill(desk_factory(source), [("open", "y"), ("note", "ümlaut ✓")])
    target = event_store_env(
        Settings(database_url=postgres_schema_url, data_dir=tmp_path / "pg")
    )
    round_trip(source, target, tmp_path / "archive.jsonl")
    same_tickets(source, target, numbers)


def test_a_tampered_line_is_refused_and_nothing_written(
    durable_stores: StoreEnvs, desk_factory: DeskFactory, tmp_path: Path
) -> None:
    source = durable_stores.new()
    fill(desk_factory(source), [])
    path = tmp_path / "archive.jsonl"
    with chained(source) as (_, ledger), path.open("w") as file:
        export_archive(ledger, file.write)
    lines = path.read_text().splitlines()
    edited = json.loads(lines[-1])
    edited["state"]["title"] = "Forged"
    lines[-1] = json.dumps(edited)
    path.write_text("\n".join(lines) + "\n")
    target = durable_stores.new()
    with chained(target) as (desk, ledger):
        with pytest.raises(ArchiveError, match=f"line {len(lines)} .*event_hash"):
            import_archive(ledger, desk.recorder, path, keyring_of(target))
        assert not desk.recorder.max_notification_id()
        del lines[3]
        path.write_text("\n".join(lines) + "\n")
        with pytest.raises(ArchiveError, match=r"line 4 .*(chain|version)"):
            import_archive(ledger, desk.recorder, path, keyring_of(target))


def test_a_store_with_events_is_refused(
    durable_store_env: dict[str, str], desk_factory: DeskFactory, tmp_path: Path
) -> None:
    desk_factory(durable_store_env)
    path = tmp_path / "archive.jsonl"
    with chained(durable_store_env) as (desk, ledger):
        with path.open("w") as file:
            export_archive(ledger, file.write)
        with pytest.raises(ArchiveError, match="not empty"):
            import_archive(ledger, desk.recorder, path, keyring_of(durable_store_env))


@pytest.mark.parametrize("state", [b"\x00\xffcipher", b'{"b":1,"a":2.50}', b"null"])
def test_state_that_is_not_canonical_json_goes_as_base64(state: bytes) -> None:
    record = StoredRecord(7, "5f0c4f7e-3d7b-4c6b-8f4e-0a1b2c3d4e5f", 1, "t:T", state)
    link = ChainLink(7, record.originator_id, 1, b"e", b"a", b"g")
    line = archive_line(record, link)
    assert parse_line(line, 1) == (record, link)
    assert ("state_base64" in json.loads(line)) == (state != b"null")


def test_the_cli_exports_and_imports(
    cli_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    archive = tmp_path / "archive.jsonl"
    code, said = replay(cli_env, "export", "--out", str(archive))
    assert code == 0, said
    assert "events/s" in said
    empty = {**cli_env, "TICKETTAPE_DATA_DIR": str(tmp_path / "new")}
    if cli_env["TICKETTAPE_DATABASE_URL"]:
        url = request.getfixturevalue("postgres_url")
        schema = new_schema_name()
        request.addfinalizer(lambda: drop_schemas(url, schema))
        empty["TICKETTAPE_DATABASE_URL"] = with_schema(url, schema)
    code, said = replay(empty, "import", str(archive))
    assert code == 0, said
    assert "aggregate chain hash matches" in said
    assert replay(empty, "verify")[0] == 0
    code, said = replay(empty, "import", str(archive))
    assert (code, "not empty" in said) == (1, True)
    sheet = tmp_path / "tickets.csv"
    assert replay(empty, "summaries", "--out", str(sheet))[0] == 0
    header, row = list(csv.reader(sheet.read_text().splitlines()))
    assert ",".join(header) == (
        "number,title,customer,organization,queue,status,category,priority,type,"
        "owner,created,updated,finished"
    )
    assert row[:3] == [cli_env["NUMBER"], "Printer", "bob@acme.test"]
    assert row[5:7] == ["new", "new"]
    assert row[-1] == ""
    with chained(store_env(cli_env)) as (old, _), chained(store_env(empty)) as (new, _):
        number = cli_env["NUMBER"]
        assert vars(new.ticket(number)) == vars(old.ticket(number))


@settings(max_examples=5, deadline=None)
@given(COMMANDS)
def test_export_import_keeps_tickets_and_hashes(
    commands: list[tuple[str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        source, target = (
            event_store_env(Settings(database_url="", data_dir=root / name))
            for name in ("source", "target")
        )
        with chained(source) as (desk, _):
            desk.initialize()
            numbers = fill(desk, commands)
        round_trip(source, target, root / "archive.jsonl")
        same_tickets(source, target, numbers)
        with chained(target) as (_, ledger):
            assert extend_chain(ledger, keyring_of(target)) == (0, None)
