"""The key that encrypts event state at rest, on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tickettape.console import fail, out
from tickettape.encryption import write_key

cipher_app = typer.Typer(
    help="Event state encrypted at rest: the key (TICKETTAPE_CIPHER_KEY)."
)


@cipher_app.command("keygen")
def keygen(
    path: Annotated[Path, typer.Argument(help="Where the new key file goes")],
) -> None:
    """Make a new AES-256 key file (mode 0600) for a new, encrypted store."""
    try:
        write_key(path)
    except FileExistsError:
        raise fail(f"{path} exists: a key is never written over") from None
    except OSError as error:
        raise fail(f"cannot write {path}: {error}") from None
    out.print(f"cipher key written to {path}")
    out.print(
        f"set TICKETTAPE_CIPHER_KEY={path} before the store's first event, and keep "
        "a copy apart from the database and its backups: without it no event "
        "can be read"
    )
