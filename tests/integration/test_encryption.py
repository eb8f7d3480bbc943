"""Event state encrypted at rest: nothing of a ticket in the stored bytes,
everything read back, verified and exported as before, and a store opened
only with the key it was written with (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from domain.articles import Article
from domain.audit import Origin
from domain.desk import TicketDraft
from tests.replay.cli import replay, tickettape
from tests.stores import cli_runtime, cli_settings
from tickettape.bootstrap import initialize, open_runtime
from tickettape.encryption import check_store, read_key, write_key

SECRET = "the printer password is hunter2"
BOB = Origin("customer:bob@acme.test")


def key_file(tmp_path: Path, name: str = "cipher.key") -> Path:
    path = tmp_path / "keys" / name
    write_key(path)
    return path


def write_ticket(env: dict[str, str]) -> str:
    """Initialize the store (once) and open a ticket with the secret in it."""
    with cli_runtime(env) as runtime:
        initialize(runtime)
        article = Article("a1", "customer", "public", "web", SECRET)
        draft = TicketDraft("Printer on fire", "bob@acme.test")
        return runtime.desk.open_ticket(draft, article, BOB).number


def stored_states(env: dict[str, str]) -> list[bytes]:
    with cli_runtime(env) as runtime:
        return [n.state for n in runtime.desk.recorder.select_notifications(1, 1000)]


def test_events_are_stored_encrypted_and_read_back(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "TICKETTAPE_CIPHER_KEY": str(key_file(tmp_path))}
    number = write_ticket(env)
    states = stored_states(env)
    assert states
    assert not any(SECRET.encode() in s or b"General" in s for s in states)
    if not env["TICKETTAPE_DATABASE_URL"]:
        files = list(Path(env["TICKETTAPE_DATA_DIR"]).glob("events.sqlite3*"))
        assert files
        assert not any(SECRET.encode() in f.read_bytes() for f in files)
    with cli_runtime(env) as runtime:
        ticket = runtime.desk.ticket(number)
        assert ticket.title == "Printer on fire"
        assert [a.body for a in ticket.articles] == [SECRET]
    code, said = tickettape(env, "ticket", "show", number)
    assert code == 0, said
    assert SECRET in said
    assert replay(env, "verify")[0] == 0
    archive = tmp_path / "archive.jsonl"
    code, said = replay(env, "export", "--out", str(archive))
    assert code == 0, said
    assert SECRET not in archive.read_text()


def test_a_store_opens_only_with_the_key_it_was_written_with(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "TICKETTAPE_CIPHER_KEY": str(key_file(tmp_path))}
    number = write_ticket(env)
    without = {k: v for k, v in env.items() if k != "TICKETTAPE_CIPHER_KEY"}
    with pytest.raises(ValueError, match="events are encrypted"):
        open_runtime(cli_settings(without))
    other = {**env, "TICKETTAPE_CIPHER_KEY": str(key_file(tmp_path, "other.key"))}
    with pytest.raises(ValueError, match="does not open"):
        open_runtime(cli_settings(other))
    code, said = tickettape(without, "ticket", "show", number)
    assert code == 1
    assert "cannot open the store" in said
    assert "encrypted" in said


def test_a_key_is_refused_on_a_store_written_in_the_clear(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    write_ticket(cli_env)
    keyed = {**cli_env, "TICKETTAPE_CIPHER_KEY": str(key_file(tmp_path))}
    with pytest.raises(ValueError, match="in the clear"):
        open_runtime(cli_settings(keyed))
    # And nothing was written meanwhile: the store still opens without one.
    with cli_runtime(cli_env) as runtime:
        assert runtime.desk.recorder.max_notification_id()


def test_key_files_are_made_private_and_read_strictly(tmp_path: Path) -> None:
    path = key_file(tmp_path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert len(read_key(path)) == 44
    with pytest.raises(FileExistsError):
        write_key(path)
    with pytest.raises(ValueError, match="cannot read"):
        read_key(tmp_path / "missing.key")
    for text in ("not base64!", "c2hvcnQ=", ""):
        bad = tmp_path / "bad.key"
        bad.write_text(text)
        with pytest.raises(ValueError, match="no cipher key"):
            read_key(bad)
    code, said = tickettape({}, "cipher", "keygen", str(path))
    assert code == 1
    assert "never written over" in said


class _OneEvent:
    """A desk whose log holds one event with this stored state."""

    def __init__(self, state: bytes, readable: bool) -> None:
        self.recorder = self
        self.mapper = self
        self.state, self.readable = state, readable

    def select_notifications(self, start: int, limit: int) -> list[_OneEvent]:
        return [self]

    def to_domain_event(self, stored: object) -> object:
        if not self.readable:
            raise ValueError("Invalid cipher tag")
        return object()


def test_ciphertext_is_told_from_json_whatever_its_first_byte() -> None:
    """A random nonce starts with "{" once in 256 stores: still ciphertext."""
    cipher = AESCipher(Environment(env={"CIPHER_KEY": AESCipher.create_key(32)}))
    sealed = cipher.encrypt(b'{"title": "Printer"}')
    while sealed[:1] != b"{":
        sealed = cipher.encrypt(b'{"title": "Printer"}')
    with pytest.raises(ValueError, match="does not open"):
        check_store(_OneEvent(sealed, readable=False), encrypted=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="events are encrypted"):
        check_store(_OneEvent(sealed, readable=True), encrypted=False)  # type: ignore[arg-type]
    check_store(_OneEvent(sealed, readable=True), encrypted=True)  # type: ignore[arg-type]
    plain = b'{"title": "Printer"}'
    check_store(_OneEvent(plain, readable=True), encrypted=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="in the clear"):
        check_store(_OneEvent(plain, readable=False), encrypted=True)  # type: ignore[arg-type]
