"""The drill: back up a store while it is written, restore it, find every write."""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import PostgresViewStore, SQLiteViewStore, ViewStore
from tests.backup.contents import event_log, tickets, view_rows
from tests.backup.drill import Writers
from tests.backup.stores import BackupStores, keyed_target
from tests.stores import cli_settings
from tickettape.backup_manifest import read_manifest
from tickettape.bootstrap import open_runtime
from tickettape.cli import app
from tickettape.stores import ensure_schema, libpq_conninfo

runner = CliRunner()
SNAPSHOTS = {"sqlite": "stored_snapshots", "postgres": "helpdesk_snapshots"}


def spare_views(stores: BackupStores) -> ViewStore:
    """An empty view store of the stores' kind, beside neither of them."""
    spare = cli_settings(stores.spare)
    if not spare.uses_postgres:
        return SQLiteViewStore(spare.views_path)
    ensure_schema(spare)
    return PostgresViewStore(libpq_conninfo(spare))


def test_a_backup_under_load_restores_every_acknowledged_write(
    backup_stores: BackupStores, tmp_path: Path
) -> None:
    stores, dest = backup_stores, tmp_path / "backup"
    assert runner.invoke(app, ["init"], env=stores.source).exit_code == 0
    source = open_runtime(cli_settings(stores.source))
    writers = Writers(source.desk, source.blobs)
    try:
        # As `serve` does: views and the audit chain kept on threads of their own.
        source.start_views()
        source.start_chain()
        writers.grow_long_ticket(60)
        writers.start()
        writers.wait_for(120)
        before = writers.so_far()
        taken = runner.invoke(app, ["backup", str(dest)], env=stores.source)
        writers.wait_for(len(writers.so_far()) + 15)
    finally:
        writers.stop()
        source.close()
    assert writers.errors == []
    assert taken.exit_code == 0, taken.output
    assert "TICKETTAPE_SEAL_KEY" in taken.output
    manifest = read_manifest(dest)
    assert len(before) >= 120
    assert manifest.table(SNAPSHOTS[stores.kind]).rows > 0

    # The restore is given the keyring that sealed the source, kept apart.
    keyed = keyed_target(stores)
    restored = runner.invoke(app, ["restore", str(dest)], env=keyed)
    assert restored.exit_code == 0, restored.output
    assert "tickettape replay verify" in restored.output

    # The same events at the same log positions, up to the snapshot and no further.
    copied = event_log(keyed)
    assert copied == event_log(stores.source, manifest.log_position)
    assert copied[-1][0] == manifest.log_position
    assert len(event_log(stores.source)) > len(copied)

    # Sealed and chained as they were; those past the chain's head on seals alone.
    verified = runner.invoke(app, ["replay", "verify"], env=keyed)
    assert verified.exit_code == 0, verified.output
    said = " ".join(verified.output.split())
    assert f"up to position {manifest.chain_position} match" in said
    unchained = sum(1 for at, _, _ in copied if at > manifest.chain_position)
    assert (f"{unchained} newer ones their seals" in said) == (unchained > 0)

    target = open_runtime(cli_settings(keyed))
    spare = spare_views(stores)
    try:
        everything = {t.number: t for t in tickets(target.desk)}
        for write in before:
            ticket = everything[write.number]
            assert write.article_id in {a.article_id for a in ticket.articles}
        for ticket in everything.values():
            for article in ticket.articles:
                for ref in article.attachments:
                    content = target.blobs.get(ref.sha256)
                    assert content is not None, (ticket.number, ref.name)
                    assert hashlib.sha256(content).hexdigest() == ref.sha256
        assert max(view.lag for view in target.views.positions()) == 0
        ViewRunner(target.desk, spare, all_views()).catch_up()
        assert view_rows(target.views.store) == view_rows(spare)
    finally:
        spare.close()
        target.close()
