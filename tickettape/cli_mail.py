"""`tickettape mail`: mail in (files, a listener, the quarantine), and mail out."""

from __future__ import annotations

import typer

from tickettape.cli_mail_intake import import_mail, retry_mail, serve_mail
from tickettape.cli_mail_outbox import list_outbox, send_mail
from tickettape.cli_mail_quarantine import (
    discard_message,
    list_quarantine,
    show_message,
)

mail_app = typer.Typer(help="Mail in (import, listen, the quarantine) and out.")
mail_app.command("import")(import_mail)
mail_app.command("serve")(serve_mail)
mail_app.command("retry")(retry_mail)
mail_app.command("quarantine")(list_quarantine)
mail_app.command("show")(show_message)
mail_app.command("discard")(discard_message)
mail_app.command("send")(send_mail)
mail_app.command("outbox")(list_outbox)
