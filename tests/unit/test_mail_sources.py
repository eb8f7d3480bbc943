"""Messages from files: one .eml, an mbox file, a Maildir; an import goes on
after a message that failed."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from mail.delivery import Envelope, Receipt
from mail.sources import MailSourceError, import_messages, messages


def mail(n: int, body: str = "Hello") -> bytes:
    return (
        f"From: bob@acme.test\nSubject: n{n}\nMessage-ID: <n{n}@acme.test>\n\n{body}\n"
    ).encode()


def test_one_eml_file(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(mail(1))
    [found] = messages(path)
    assert (found.where, found.raw) == (str(path), mail(1))


def test_an_mbox_file_with_a_quoted_from_line(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for n in range(3):
        box.add(mail(n, "From the start\nsecond line" if n == 1 else "Hello"))
    box.close()
    assert path.read_bytes().startswith(b"From ")
    assert b"\n>From the start\n" in path.read_bytes()
    found = list(messages(path))
    assert [f.where for f in found] == [f"{path}#{n}" for n in range(3)]
    # Each message as stored: without its "From " separator line, and the
    # body line mbox quoted left quoted (mbox cannot tell it from ">From ").
    assert [f.raw for f in found] == [
        mail(0),
        mail(1, ">From the start\nsecond line"),
        mail(2),
    ]


def test_a_maildir_new_and_cur(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(mail(1))
    seen = mailbox.MaildirMessage(mail(2))
    seen.set_subdir("cur")
    box.add(seen)
    found = sorted(f.raw for f in messages(tmp_path / "Maildir"))
    assert found == sorted([mail(1), mail(2)])


def test_what_holds_no_messages_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MailSourceError):
        list(messages(tmp_path))
    with pytest.raises(MailSourceError, match=r"missing\.eml"):
        list(messages(tmp_path / "missing.eml"))


def test_a_message_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(mail(1))
    (tmp_path / "Maildir" / "new" / "1.gone").symlink_to(tmp_path / "nowhere")
    with pytest.raises(MailSourceError, match=r"1\.gone"):
        list(messages(tmp_path / "Maildir"))


def test_an_import_goes_on_after_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for n in range(3):
        box.add(mail(n))
    box.close()
    taken: list[bytes] = []

    def deliver(raw: bytes, envelope: Envelope) -> Receipt:
        if b"n1" in raw:
            raise ConnectionError("the store is away")
        taken.append(raw)
        return Receipt(True, "taken")

    report = import_messages(path, deliver)
    assert (report.taken, report.refused) == (2, 0)
    [(where, why)] = report.failed
    assert where == f"{path}#1"
    assert "store is away" in why
