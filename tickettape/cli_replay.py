"""The auditor's command line: the hash chain, signed checkpoints and verify."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from domain.desk import HelpDesk
from domain.ids import ticket_id
from projections.engine.worker import work
from replay.checkpoint import (
    Checkpoint,
    load_public_key,
    load_signing_key,
    new_key_pair,
)
from replay.checkpointing import sign_verified
from replay.checkpointing import stored_checkpoint as latest_checkpoint
from replay.findings import describe, verify_aggregate
from replay.keeper import ChainKeeper
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.seals import Keyring, KeyringError
from replay.verdicts import Finding, Verdict
from replay.verify import verify_log, verify_since
from tickettape.bootstrap import Runtime
from tickettape.console import err, fail, out, runtime
from tickettape.settings import Settings

# What verify exits with when it finds tampering; 1 stays "could not run".
TAMPERED = 3

replay_app = typer.Typer(help="Audit the archive: hash chain, checkpoints, verify.")


@contextmanager
def ledger_of(desk: HelpDesk) -> Iterator[Ledger]:
    """The store's audit tables, as they are: nothing is chained or sealed."""
    try:
        ledger = open_ledger(desk)
    except ValueError as error:
        raise fail(str(error)) from None
    try:
        yield ledger
    finally:
        ledger.close()


def keyring_of(opened: Runtime) -> Keyring:
    """The store's seal keyring; exits saying where it was looked for."""
    try:
        return opened.chain.keyring()
    except KeyringError as error:
        raise fail(
            f"{error} (set TICKETTAPE_SEAL_KEY to the keyring that sealed this store)"
        ) from None


def chain_now(keeper: ChainKeeper) -> Finding | None:
    """Chain what the keeper has not yet; what stopped it, printed, if anything."""
    try:
        keeper.chain()
    except RuntimeError as error:
        raise fail(str(error)) from None
    stopped = keeper.blocked
    if stopped is not None:
        err.print(
            f"[bold red]the chain stops at position {stopped.notification_id} "
            f"({stopped.problem}):[/] {stopped.detail}; run `tickettape replay verify`",
            soft_wrap=True,
        )
    return stopped


@replay_app.command("keygen")
def keygen(
    path: Annotated[
        Path, typer.Argument(help="Private key file to create; NAME.pub goes beside")
    ],
) -> None:
    """Make an Ed25519 key pair: the private key signs, the public one verifies."""
    public_path = path.with_name(path.name + ".pub")
    private, public = new_key_pair()
    try:
        _make_key_folders(path.parent)
        # O_EXCL: never overwrite a key that may have signed checkpoints already.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(private)
        with public_path.open("xb") as file:
            file.write(public)
    except OSError as error:
        raise fail(f"cannot write the key pair: {error}") from None
    out.print(f"private key: {path} (set TICKETTAPE_CHECKPOINT_KEY to it)")
    out.print(f"public key:  {public_path} (give it to auditors)")


def _make_key_folders(folder: Path) -> None:
    """Make the folders missing down to the key's, each for its owner alone
    (mkdir -p would leave them readable by everyone on the host)."""
    missing = [made for made in (folder, *folder.parents) if not made.exists()]
    for made in reversed(missing):
        made.mkdir(mode=0o700, exist_ok=True)


@replay_app.command("chain")
def chain(
    follow: Annotated[
        bool,
        typer.Option(
            "--follow", help="Keep chaining new events until SIGTERM or Ctrl-C"
        ),
    ] = False,
) -> None:
    """Chain every event stored since the last run (verify and checkpoint do too)."""
    if follow:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    with runtime([]) as opened:
        keyring_of(opened)
        if follow:
            out.print("keeping the audit chain current; stop with SIGTERM or Ctrl-C")
            work(opened.chain)
            stopped = opened.chain.blocked
        else:
            stopped = chain_now(opened.chain)
        position = opened.chain.position().position
    out.print(f"the chain covers the log up to position {position}")
    if stopped is not None:
        raise typer.Exit(TAMPERED)


@replay_app.command("checkpoint")
def checkpoint(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write it to this new file")
    ] = None,
) -> None:
    """Verify the archive, then sign its chain head and keep the checkpoint."""
    with runtime([]) as opened:
        key = signing_key(opened.settings)
        keyring = keyring_of(opened)
        # What the keeper would chain by now: seal-checked, so nothing forged.
        if chain_now(opened.chain) is not None:
            raise typer.Exit(TAMPERED)
        with ledger_of(opened.desk) as ledger:
            outcome = sign_verified(ledger, keyring, key, again=True)
    if isinstance(outcome, Finding):
        report(opened.desk, Verdict(0, 0, b"", outcome))
        err.print("no checkpoint signed over a damaged archive")
        raise typer.Exit(TAMPERED)
    if outcome is None:
        raise fail("the chain is empty; there is nothing to sign yet")
    if out_file is not None:
        try:
            with out_file.open("x") as file:
                file.write(outcome.to_json())
        except OSError as error:
            raise fail(f"signed and stored, but not written: {error}") from None
    out.print(
        f"signed checkpoint: {outcome.count} events up to position "
        f"{outcome.position}, chain head {outcome.head}, key {outcome.key_id}",
        soft_wrap=True,
    )


@replay_app.command("verify")
def verify(
    ticket: Annotated[
        str | None, typer.Option(help="Check only this ticket's own chain")
    ] = None,
    checkpoint_file: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="Check against this file, not the store's"),
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option(help="Ed25519 public key that signed checkpoints")
    ] = None,
    since_checkpoint: Annotated[
        bool,
        typer.Option(
            "--since-checkpoint",
            help="Check only what came after the checkpoint, on from its chain head",
        ),
    ] = False,
) -> None:
    """Check every seal and recompute the chain; exit 3 naming the first bad event."""
    if since_checkpoint and ticket is not None:
        raise fail("--since-checkpoint checks the log after it; not with --ticket")
    with runtime([]) as opened, ledger_of(opened.desk) as ledger:
        keyring = keyring_of(opened)
        if since_checkpoint:
            verdict, summary = _since(
                opened, ledger, keyring, checkpoint_file, public_key
            )
        elif ticket is not None:
            verdict = verify_aggregate(ledger, keyring, str(ticket_id(ticket)))
            if verdict.clean and verdict.checked + verdict.unchained == 0:
                raise fail(f"ticket {ticket} not found")
            summary = (
                f"ticket {ticket}: {verdict.checked + verdict.unchained} events match "
                "their seals, the chained ones their chain"
            )
        else:
            verdict, summary = _whole(
                opened, ledger, keyring, checkpoint_file, public_key
            )
        if not verdict.clean:
            report(opened.desk, verdict)
            raise typer.Exit(TAMPERED)
    out.print(f"[bold green]intact:[/] {summary}", soft_wrap=True)


def _whole(
    opened: Runtime,
    ledger: Ledger,
    keyring: Keyring,
    checkpoint_file: Path | None,
    public_key: Path | None,
) -> tuple[Verdict, str]:
    """Verify the whole log, against the checkpoint given or the last stored."""
    anchor = _anchor(ledger, checkpoint_file)
    key = None if anchor is None else verifying_key(opened.settings, public_key)
    verdict = verify_log(ledger, keyring, anchor, key)
    summary = (
        f"{verdict.checked} events up to position {verdict.position} match "
        "their seals and chain"
        + _unchained(verdict)
        + "; "
        + (
            "no checkpoint to check against yet (run `replay checkpoint`)"
            if anchor is None
            else f"the checkpoint of {anchor.at} ({anchor.count} events up "
            f"to position {anchor.position}) holds"
        )
    )
    return verdict, summary


def _since(
    opened: Runtime,
    ledger: Ledger,
    keyring: Keyring,
    checkpoint_file: Path | None,
    public_key: Path | None,
) -> tuple[Verdict, str]:
    """Verify what came after the checkpoint given, or else the last stored."""
    anchor = _anchor(ledger, checkpoint_file)
    if anchor is None:
        raise fail(
            "no checkpoint to verify from: sign one with `replay checkpoint`, or "
            "give its file with --checkpoint"
        )
    key = verifying_key(opened.settings, public_key)
    verdict = verify_since(ledger, keyring, anchor, key)
    summary = (
        f"{max(verdict.checked - anchor.count, 0)} events after the checkpoint of "
        f"{anchor.at} (position {anchor.position}) match their seals and chain, on "
        "from its head"
        + _unchained(verdict)
        + "; what lies before it is as that checkpoint signed it (verify without "
        "--since-checkpoint checks it all)"
    )
    return verdict, summary


def _anchor(ledger: Ledger, checkpoint_file: Path | None) -> Checkpoint | None:
    """The checkpoint in the file given, else the one stored last (if any)."""
    if checkpoint_file is not None:
        return read_checkpoint(checkpoint_file)
    return stored_checkpoint(ledger)


def _unchained(verdict: Verdict) -> str:
    """The summary's note of events sealed but not chained yet, if any."""
    if not verdict.unchained:
        return ""
    return f", {verdict.unchained} newer ones their seals (not chained yet)"


def report(desk: HelpDesk, verdict: Verdict) -> None:
    """Name the first bad event and what is wrong with it."""
    finding = verdict.finding
    if finding is None:
        return
    where = []
    if finding.notification_id is not None:
        where.append(f"position {finding.notification_id}")
    if finding.originator_id is not None:
        where.append(describe(desk, finding.originator_id))
    if finding.version is not None:
        where.append(f"version {finding.version}")
    err.print(
        f"[bold red]TAMPERED ({finding.problem}):[/] "
        f"{', '.join(where) or 'the archive'}: {finding.detail}",
        soft_wrap=True,
    )
    err.print(f"{verdict.checked} chained events before it match their seals and chain")


def stored_checkpoint(ledger: Ledger) -> Checkpoint | None:
    """The checkpoint saved last in the store, if any; exits if it is unreadable."""
    found = latest_checkpoint(ledger)
    if isinstance(found, Finding):
        err.print(f"[bold red]TAMPERED ({found.problem}):[/] {found.detail}")
        raise typer.Exit(TAMPERED)
    return found


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in an auditor's file; exits if it cannot be read."""
    try:
        return Checkpoint.from_json(path.read_text())
    except (OSError, ValueError) as error:
        raise fail(f"cannot use the checkpoint file {path}: {error}") from None


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured private key; exits with what to do when there is none."""
    if settings.checkpoint_key is None:
        raise fail(
            "no signing key: set TICKETTAPE_CHECKPOINT_KEY to an Ed25519 private "
            "key file (make one with `tickettape replay keygen FILE`)"
        )
    try:
        return load_signing_key(settings.checkpoint_key)
    except ValueError as error:
        raise fail(str(error)) from None


def verifying_key(settings: Settings, given: Path | None) -> Ed25519PublicKey:
    """The public key to check checkpoints with; exits when none is configured."""
    path = given or settings.checkpoint_public_key or settings.checkpoint_key
    if path is None:
        raise fail(
            "a checkpoint needs the public key to be checked: pass --public-key or "
            "set TICKETTAPE_CHECKPOINT_PUBLIC_KEY"
        )
    try:
        return load_public_key(path)
    except ValueError as error:
        raise fail(str(error)) from None
