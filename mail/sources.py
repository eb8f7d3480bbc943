"""Messages from files: one .eml, an mbox file, or a Maildir directory.

`tickettape mail import` reads them here and hands each to the intake, going on
after a message that failed (the report says which, and why).
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mail.delivery import Deliver, Envelope


class MailSourceError(Exception):
    """A path that holds no messages we can read."""


@dataclass(frozen=True)
class SourceMessage:
    """One message's raw bytes, and where it was found (path, or path#key)."""

    where: str
    raw: bytes


@dataclass
class ImportReport:
    """What an import took, what the intake refused, and what failed."""

    taken: int = 0
    refused: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def messages(path: Path) -> Iterator[SourceMessage]:
    """The messages at the path: a Maildir (cur/new/tmp), an mbox file (it
    starts with "From "), else one message. MailSourceError when unreadable."""
    try:
        yield from _found(path)
    except OSError as error:
        where = error.filename or path
        raise MailSourceError(f"{where}: {error.strerror or error}") from None


def _found(path: Path) -> Iterator[SourceMessage]:
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise MailSourceError(f"{path} is a directory but no Maildir")
        yield from _maildir(path)
        return
    with path.open("rb") as file:
        start = file.read(5)
    if start == b"From ":
        yield from _mbox(path)
    else:
        yield SourceMessage(str(path), path.read_bytes())


def import_messages(path: Path, deliver: Deliver) -> ImportReport:
    """Deliver every message at the path; a failure is noted and the rest go on."""
    report = ImportReport()
    for found in messages(path):
        try:
            receipt = deliver(found.raw, Envelope(None, (), f"import:{found.where}"))
        except Exception as error:  # the store away, say: report it, go on
            report.failed.append((found.where, f"{type(error).__name__}: {error}"))
            continue
        if receipt.accepted:
            report.taken += 1
        else:
            report.refused += 1
            report.failed.append((found.where, receipt.detail))
    return report


def _maildir(path: Path) -> Iterator[SourceMessage]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        with box.get_file(key) as file:
            yield SourceMessage(f"{path}#{key}", file.read())


def _mbox(path: Path) -> Iterator[SourceMessage]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for index, key in enumerate(box.keys()):
            # The message as stored, without its "From " separator line;
            # mbox's ">From " quoting of body lines is left as the file has it.
            yield SourceMessage(f"{path}#{index}", box.get_bytes(key))
    finally:
        box.close()
