"""The seal keyring on the command line: its keys, rotation, and older stores."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from replay.chain import BATCH
from replay.mending import Mending
from replay.seals import Keyring, KeyringError, load_keyring, save_keyring
from replay.verdicts import Problem
from replay.verify import mend_log
from tickettape.cli_replay import TAMPERED, keyring_of, ledger_of, report
from tickettape.console import err, fail, out, runtime, settings

seal_app = typer.Typer(
    help="The seal keyring: the secret every stored event is sealed with."
)


def _keyring() -> tuple[Keyring, str]:
    path = settings().seal_key_path
    try:
        return load_keyring(path), str(path)
    except KeyringError as error:
        raise fail(str(error)) from None


@seal_app.command("keys")
def keys() -> None:
    """List the keyring's keys: which one seals, and which are retired."""
    keyring, path = _keyring()
    table = Table("key", "use")
    for key in keyring.keys:
        if key is keyring.current:
            use = "seals new events"
        elif key.retired_after is None:
            use = "checks the seals it made"
        else:
            use = f"retired: checks seals up to position {key.retired_after}"
        table.add_row(key.key_id, use)
    out.print(f"seal keyring {path}")
    out.print(table)


@seal_app.command("rotate")
def rotate() -> None:
    """Add a new key that seals from now on; the old ones keep checking."""
    keyring, path = _keyring()
    rotated = keyring.rotated()
    try:
        save_keyring(settings().seal_key_path, rotated)
    except OSError as error:
        raise fail(f"cannot write the keyring {path}: {error}") from None
    out.print(f"new sealing key {rotated.current.key_id} in {path}")
    out.print(
        "running processes read the keyring again when it changes and seal with it; "
        "copy the file to every host that seals (or verifies) with it, then "
        "`tickettape seal retire` the old keys"
    )


@seal_app.command("retire")
def retire() -> None:
    """Let every key but the current one check only seals made up to now."""
    keyring, path = _keyring()
    with runtime([]) as opened:
        end = opened.desk.recorder.max_notification_id() or 0
    retired = keyring.retired(end)
    try:
        save_keyring(settings().seal_key_path, retired)
    except OSError as error:
        raise fail(f"cannot write the keyring {path}: {error}") from None
    count = sum(1 for key in retired.keys[:-1] if key.retired_after == end)
    out.print(
        f"{count} older key(s) now check only seals up to position {end}; a seal "
        "they make later is a finding"
    )


@seal_app.command("existing")
def existing(
    include_unchained: Annotated[
        bool,
        typer.Option(
            "--include-unchained",
            help="Also seal events the chain does not cover yet (on your word alone)",
        ),
    ] = False,
) -> None:
    """Seal, once, the events a store holds from before events were sealed."""
    with runtime([]) as opened, ledger_of(opened.desk) as ledger:
        mending = Mending(keyring_of(opened), include_unchained)
        verdict = mend_log(ledger, mending.keyring, mending, BATCH)
        sealed = (
            f"sealed {mending.sealed_events} events and {mending.sealed_links} "
            "chain links"
        )
        if not verdict.clean:
            report(opened.desk, verdict)
            err.print(f"{sealed} before it; nothing after it was sealed")
            if (
                verdict.finding is not None
                and verdict.finding.problem is Problem.UNSEALED
            ):
                err.print(
                    "an unsealed event the chain does not cover is sealed only with "
                    "--include-unchained"
                )
            raise typer.Exit(TAMPERED)
    out.print(
        f"[bold green]{sealed}[/]; {verdict.checked} chained and "
        f"{verdict.unchained} unchained events now verify"
    )
