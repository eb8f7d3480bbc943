"""Raw messages become plain data, whatever their charsets, parts and defects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from mail.parsing import READ_ONCE, AutoKind, ParsedMail, Unparsable, parse_message
from tests.mail_samples import (
    LIMIT,
    PIXEL,
    delivery_report,
    newsletter_with_inline_image,
    plain,
)


def parsed(raw: bytes) -> ParsedMail:
    found = parse_message(raw, LIMIT)
    assert isinstance(found, ParsedMail), found
    return found


def headed(body: bytes, *headers: bytes) -> bytes:
    """A message from bob with the extra headers and the body given."""
    head = b"From: bob@acme.test\r\nTo: support@desk.test\r\n" + b"".join(
        header + b"\r\n" for header in headers
    )
    return head + b"\r\n" + body


def test_a_plain_mail_is_read_whole() -> None:
    mail = parsed(plain())

    assert mail.message_id == "<printer-1@acme.test>"
    assert (mail.from_address, mail.from_name) == ("bob@acme.test", "Bob Customer")
    assert mail.to == ["support@desk.test"]
    assert mail.subject == "Printer on fire"
    assert mail.date == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert mail.date.utcoffset() == timedelta(hours=1)
    assert mail.text == "It is still burning.\n"
    assert (mail.html, mail.attachments, mail.auto) == (None, [], None)
    assert mail.size == len(plain())


def test_nested_parts_give_the_text_body_and_every_other_part_attached() -> None:
    mail = parsed(newsletter_with_inline_image())

    assert mail.text == "The report, in plain text.\n"
    assert mail.html is not None
    assert "cid:chart@acme.test" in mail.html
    image, pdf = mail.attachments
    assert (image.content_type, image.content, image.inline) == (
        "image/png",
        PIXEL,
        True,
    )
    assert image.content_id == "<chart@acme.test>"
    assert image.filename == "attachment-1.png"
    assert (pdf.filename, pdf.content_type, pdf.inline) == (
        "report.pdf",
        "application/pdf",
        False,
    )


def test_recipients_are_lower_cased_once_each_in_order() -> None:
    mail = parsed(newsletter_with_inline_image())

    assert mail.to == ["support@desk.test", "carol@acme.test"]
    assert mail.cc == ["support@desk.test", "dave@acme.test"]
    assert mail.in_reply_to == ["<ticket-42@desk.test>"]
    assert mail.references == ["<ticket-41@desk.test>", "<ticket-42@desk.test>"]


def test_where_it_was_delivered_comes_from_the_delivery_headers() -> None:
    mail = parsed(
        headed(
            b"hi",
            b"Delivered-To: Billing@Desk.test",
            b"X-Original-To: sales@desk.test",
            b"Envelope-To: billing@desk.test",
            b"Reply-To: Bob at home <BOB@home.test>",
        )
    )

    assert mail.delivered_to == ["billing@desk.test", "sales@desk.test"]
    assert mail.reply_to == "bob@home.test"


def test_an_html_only_mail_is_read_as_text() -> None:
    html = (
        b"<html><head><title>t</title><style>p {color: red}</style></head><body>"
        b"<h1>Order&nbsp;&amp; invoice</h1><div>line one<br>line two</div>"
        b"<script>alert(1)</script><ul><li>first<li>second</ul></body></html>"
    )
    mail = parsed(headed(html, b"Content-Type: text/html; charset=utf-8"))

    assert mail.text == "Order & invoice\n\nline one\nline two\n\nfirst\nsecond"
    assert mail.html == html.decode()


def test_html_text_keeps_at_most_two_blank_lines() -> None:
    html = b"<p>a</p>" + b"<div><div><div><p></p></div></div></div>" * 5 + b"<p>b</p>"
    mail = parsed(headed(html, b"Content-Type: text/html"))

    assert mail.text == "a\n\n\nb"


@pytest.mark.parametrize(
    ("charset", "subject"),
    [
        ("utf-8", "Drucker brennt, schnell! 🔥"),
        ("iso-8859-1", "Imprimante en feu, café renversé"),
        ("shift_jis", "プリンターが燃えています"),
        ("koi8-r", "Принтер горит"),
    ],
)
def test_encoded_word_subjects_are_decoded(charset: str, subject: str) -> None:
    encoded = Header(subject, charset).encode().encode("ascii")
    mail = parsed(headed(b"hi", b"Subject: " + encoded))

    assert mail.subject == subject


def test_an_unknown_charset_decodes_with_replacement() -> None:
    mail = parsed(
        headed(
            b"caf\xe9 ok",
            b"Subject: =?x-unknown?q?caf=E9?= ok",
            b"Content-Type: text/plain; charset=x-unknown",
        )
    )

    assert mail.subject.startswith("caf")
    assert mail.subject.endswith(" ok")
    assert mail.text == "café ok"


def test_raw_8bit_subjects_are_read_as_utf8_else_latin1() -> None:
    utf8 = parsed(headed(b"hi", "Subject: Grüße".encode()))
    latin1 = parsed(headed(b"hi", "Subject: Grüße".encode("latin-1")))

    assert utf8.subject == latin1.subject == "Grüße"


def test_latin1_bytes_declared_utf8_are_still_read() -> None:
    mail = parsed(
        headed(b"Gr\xfc\xdfe aus K\xf6ln", b"Content-Type: text/plain; charset=utf-8")
    )

    assert mail.text == "Grüße aus Köln"


def test_malformed_headers_do_not_stop_the_reading() -> None:
    mail = parsed(
        b"From: =?utf-8?q?broken <\xff@acme.test>\r\n"
        b"To: <<<>>>, ,,@, support@desk.test\r\n"
        b"Subject: =?utf-8?b?!!!?= =?utf-8?q?\xe9t\xe9\r\n"
        b"Message-ID: not an id\r\n"
        b"Date: the thirty-second of Smarch\r\n"
        b"\r\nbody"
    )

    assert mail.to == ["support@desk.test"]
    assert mail.message_id is None
    assert mail.date is None
    assert mail.subject.endswith("été")  # the raw 8-bit bytes read as Latin-1
    assert mail.text == "body"


def test_an_rfc2231_filename_is_decoded() -> None:
    raw = headed(
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*=utf-8''Rechnung%20M%C3%A4rz%202026.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n",
        b"Content-Type: multipart/mixed; boundary=b",
    )
    (invoice,) = parsed(raw).attachments

    assert invoice.filename == "Rechnung März 2026.pdf"
    assert invoice.content == b"%PDF-"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\evil.exe", "evil.exe"),
        ("bad\x07na\x1bme.txt", "badname.txt"),
        ("..", "attachment-1.txt"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_attachment_names_are_safe(given: str, kept: str) -> None:
    message = EmailMessage()
    message["From"] = "bob@acme.test"
    message.set_content("see attached")
    message.add_attachment("data", filename=given)

    (attached,) = parsed(message.as_bytes()).attachments

    assert attached.filename == kept


def test_a_delivery_report_is_a_bounce_of_the_message_inside() -> None:
    mail = parsed(delivery_report())

    assert mail.auto is AutoKind.BOUNCE
    assert mail.bounce_of == ["<ticket-20261205000001.3@desk.test>"]
    assert mail.text == "Your message could not be delivered."
    kinds = [part.content_type for part in mail.attachments]
    assert kinds == ["message/delivery-status", "message/rfc822"]
    assert b"We sent a technician." in mail.attachments[1].content


def test_a_delivery_report_from_any_sender_is_a_bounce() -> None:
    raw = delivery_report().replace(b"MAILER-DAEMON@", b"notices@")
    mail = parsed(raw)

    assert mail.from_address == "notices@mx.desk.test"
    assert mail.auto is AutoKind.BOUNCE
    assert mail.bounce_of == ["<ticket-20261205000001.3@desk.test>"]


def test_a_forwarded_report_is_not_a_bounce() -> None:
    message = EmailMessage()
    message["From"] = "bob@acme.test"
    message["Subject"] = "Fwd: why did this bounce?"
    message.set_content("See the report below.")
    report = delivery_report().replace(b"MAILER-DAEMON@", b"notices@")
    message.add_attachment(report, "message", "rfc822")

    assert parsed(message.as_bytes()).auto is None


def test_a_mailer_daemon_bounce_falls_back_to_in_reply_to() -> None:
    mail = parsed(
        b"From: MAILER-DAEMON@mx.acme.test\r\nTo: support@desk.test\r\n"
        b"In-Reply-To: <ticket-1.1@desk.test>\r\n\r\nUser unknown"
    )

    assert mail.auto is AutoKind.BOUNCE
    assert mail.bounce_of == ["<ticket-1.1@desk.test>"]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (b"Auto-Submitted: auto-replied", AutoKind.AUTO_SUBMITTED),
        (b"Precedence: bulk", AutoKind.BULK),
        (b"Precedence: Junk", AutoKind.BULK),
        (b"X-Autoreply: yes", AutoKind.BULK),
        (b"Return-Path: <>", AutoKind.BOUNCE),
        (b"Auto-Submitted: no", None),
        (b"Precedence: first-class", None),
    ],
)
def test_automatic_mail_says_why(header: bytes, kind: AutoKind | None) -> None:
    mail = parsed(headed(b"I am away", header))

    assert mail.auto is kind
    assert mail.bounce_of == []


def test_x_loop_values_are_kept_for_the_intake() -> None:
    mail = parsed(headed(b"hi", b"X-Loop: Support@Desk.test", b"X-Loop: other"))

    assert mail.auto is AutoKind.LOOP
    assert mail.x_loop == ["Support@Desk.test", "other"]


def test_nul_bytes_never_reach_a_text_field() -> None:
    mail = parsed(
        headed(
            b"a\x00b", b"Subject: x\x00y", b"X-Loop: l\x00p", b"Message-ID: <a\x00b@x>"
        )
    )

    assert (mail.subject, mail.text, mail.x_loop) == (
        "x\ufffdy",
        "a\ufffdb",
        ["l\ufffdp"],
    )
    assert mail.message_id == "<a\ufffdb@x>"


def test_a_message_without_a_zone_is_taken_as_utc() -> None:
    mail = parsed(headed(b"hi", b"Date: Sat, 05 Dec 2026 10:00:00 -0000"))

    assert mail.date == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert mail.date is not None
    assert mail.date.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (b" \r\n\r\n", "empty message"),
        (b"\xff\xfe\x00garbage\x9c", "no header: not a mail message"),
        (b"X-Whatever: 1\r\n\r\nbody", "none of the headers From, Sender, To"),
    ],
)
def test_what_is_not_a_mail_is_unparsable(raw: bytes, reason: str) -> None:
    found = parse_message(raw, LIMIT)

    assert isinstance(found, Unparsable)
    assert found.reason.startswith(reason)


def test_a_message_over_the_limit_is_unparsable() -> None:
    raw = plain()

    assert parse_message(raw, len(raw) - 1) == Unparsable(
        f"message larger than {len(raw) - 1} bytes"
    )
    assert isinstance(parse_message(raw, len(raw)), ParsedMail)


def test_a_multipart_without_its_boundary_is_read_as_text() -> None:
    mail = parsed(
        headed(b"no boundary here", b"Content-Type: multipart/mixed; boundary=b")
    )

    assert (mail.text, mail.attachments) == ("no boundary here", [])
    assert mail.defects


def test_a_related_part_with_a_broken_boundary_does_not_stop_the_reading() -> None:
    # The standard library's get_body fails on this shape (AttributeError).
    raw = headed(
        b"--a\r\nContent-Type: multipart/related; boundary=gone\r\n\r\n"
        b"<p>lost</p>\r\n--a--\r\n",
        b"Content-Type: multipart/alternative; boundary=a",
    )

    assert parsed(raw).text == "<p>lost</p>\n"


def test_the_related_start_part_is_the_html_body() -> None:
    raw = headed(
        b"--r\r\nContent-Type: image/gif\r\nContent-ID: <logo@x>\r\n\r\nGIF89a\r\n"
        b"--r\r\nContent-Type: text/html\r\nContent-ID: <root@x>\r\n\r\n"
        b"<p>Hello</p>\r\n--r--\r\n",
        b'Content-Type: multipart/related; boundary=r; start="<root@x>"',
    )
    mail = parsed(raw)

    assert mail.text == "Hello"
    assert [part.content_id for part in mail.attachments] == ["<logo@x>"]


def test_a_header_set_after_it_was_read_is_read_afresh() -> None:
    message = BytesParser(policy=READ_ONCE).parsebytes(b"Subject: one\r\n\r\nHi\r\n")
    assert message["subject"] == "one"

    message.replace_header("Subject", "two")
    assert message["subject"] == "two"
    del message["subject"]
    assert message["subject"] is None
    message.add_header("Subject", "three")
    message["X-Loop"] = "desk"
    assert message.get_all("subject") == ["three"]
    assert message["x-loop"] == "desk"


def test_headers_read_with_their_kinds_made_once_are_read_as_the_standard_does() -> (
    None
):
    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen?= <j@x.test>\r\nTo: a@x.test, B <b@x.test>\r\n"
        b"Date: Sat, 05 Dec 2026 10:00:00 +0100\r\nMessage-ID: <m1@x.test>\r\n"
        b"Subject: =?utf-8?b?w6TDtsO8?=\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"\r\nHi\r\n"
    )
    ours = BytesParser(policy=READ_ONCE).parsebytes(raw)
    standard = BytesParser(policy=policy.default).parsebytes(raw)

    for name in ("from", "to", "date", "message-id", "subject", "content-type"):
        assert str(ours[name]) == str(standard[name])
        assert type(ours[name]).__mro__[1:] == type(standard[name]).__mro__[1:]
    assert ours["to"].addresses == standard["to"].addresses
    assert ours["date"].datetime == standard["date"].datetime


def test_a_header_kind_is_made_once_whatever_the_names_a_sender_chooses() -> None:
    names = [f"X-Made-Up-{n}" for n in range(200)]
    raw = b"".join(f"{n}: v\r\n".encode() for n in names) + b"From: a@x.test\r\n\r\nHi"
    message = BytesParser(policy=READ_ONCE).parsebytes(raw)

    kinds = {type(message[name]) for name in names}
    again = BytesParser(policy=READ_ONCE).parsebytes(raw)

    assert len(kinds) == 1
    assert {type(again[name]) for name in names} == kinds
    assert type(message["from"]) is type(again["from"]) not in kinds
