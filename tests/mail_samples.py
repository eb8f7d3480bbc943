"""Real-looking raw messages for the mail parsing tests: what mail clients and
mail servers send, built with the standard library or written out as bytes."""

from __future__ import annotations

from email.message import EmailMessage

LIMIT = 1024 * 1024
PIXEL = b"\x89PNG\r\n\x1a\n" + bytes(range(32))


def plain() -> bytes:
    """A customer's short plain-text mail."""
    return (
        b"From: Bob Customer <Bob@Acme.TEST>\r\n"
        b"To: Support <support@desk.test>\r\n"
        b"Subject: Printer on fire\r\n"
        b"Message-ID: <printer-1@acme.test>\r\n"
        b"Date: Sat, 05 Dec 2026 10:00:00 +0100\r\n"
        b"\r\n"
        b"It is still burning.\r\n"
    )


def newsletter_with_inline_image() -> bytes:
    """mixed > alternative > related(html, inline image), and a PDF attached."""
    message = EmailMessage()
    message["From"] = "Alice <alice@acme.test>"
    message["To"] = "support@desk.test, Carol <carol@acme.test>"
    message["Cc"] = "SUPPORT@desk.test, dave@acme.test"
    message["Subject"] = "Quarterly report"
    message["Message-ID"] = "<report-7@acme.test>"
    message["In-Reply-To"] = "<ticket-42@desk.test>"
    message["References"] = "<ticket-41@desk.test> <ticket-42@desk.test>"
    message.set_content("The report, in plain text.\n")
    message.add_alternative(
        "<html><body><p>The report</p><img src='cid:chart@acme.test'></body></html>",
        subtype="html",
    )
    *_, html_part = message.iter_parts()
    html_part.add_related(PIXEL, "image", "png", cid="<chart@acme.test>")
    message.add_attachment(
        b"%PDF-1.4 report", "application", "pdf", filename="report.pdf"
    )
    return message.as_bytes()


def delivery_report() -> bytes:
    """A DSN: multipart/report with the status and the message that bounced."""
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.desk.test>\r\n"
        b"To: support@desk.test\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-9@mx.desk.test>\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status;\r\n"
        b' boundary="dsn"\r\n'
        b"\r\n"
        b"--dsn\r\n"
        b"Content-Type: text/plain\r\n"
        b"\r\n"
        b"Your message could not be delivered.\r\n"
        b"--dsn\r\n"
        b"Content-Type: message/delivery-status\r\n"
        b"\r\n"
        b"Reporting-MTA: dns; mx.desk.test\r\n"
        b"\r\n"
        b"Final-Recipient: rfc822; gone@acme.test\r\n"
        b"Action: failed\r\n"
        b"Status: 5.1.1\r\n"
        b"--dsn\r\n"
        b"Content-Type: message/rfc822\r\n"
        b"\r\n"
        b"From: support@desk.test\r\n"
        b"To: gone@acme.test\r\n"
        b"Subject: [Ticket#20261205000001] Your printer\r\n"
        b"Message-ID: <ticket-20261205000001.3@desk.test>\r\n"
        b"\r\n"
        b"We sent a technician.\r\n"
        b"--dsn--\r\n"
    )
