"""The CLI as these tests drive it: run a command, fill a store, back it up."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.audit import Origin
from domain.desk import TicketDraft
from tests.backup.stores import BackupStores
from tests.stores import cli_settings
from tickettape.bootstrap import open_runtime
from tickettape.cli import app

runner = CliRunner()
SCAN = b"%PDF-1.7 a scanned invoice\n" * 40


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the CLI; its exit code and everything it printed, on one line."""
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())


def fill(env: dict[str, str]) -> None:
    """Initialize the store and open a ticket with an attachment."""
    assert invoke(env, "init")[0] == 0
    opened = open_runtime(cli_settings(env))
    try:
        digest = opened.blobs.put(SCAN)
        ref = AttachmentRef("invoice.pdf", "application/pdf", len(SCAN), digest)
        article = Article(
            "a1", "customer", "public", "web", "See the scan.", attachments=[ref]
        )
        draft = TicketDraft("Invoice", "bob@acme.test")
        opened.desk.open_ticket(draft, article, Origin("customer:bob@acme.test"))
    finally:
        opened.close()


def take_backup(stores: BackupStores, dest: Path) -> Path:
    """A backup of the filled source store in dest."""
    fill(stores.source)
    code, said = invoke(stores.source, "backup", str(dest))
    assert code == 0, said
    return dest
