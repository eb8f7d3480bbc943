"""Reading raw messages as the intake meets them: charsets, parts, automatic mail."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mail.html_text import html_to_text
from mail.parsing import AutoKind, ParsedMail, Unparsable, parse_message

LIMIT = 1_000_000


def parsed(raw: bytes) -> ParsedMail:
    found = parse_message(raw, LIMIT)
    assert isinstance(found, ParsedMail), found
    return found


def plain(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Bob Builder <Bob@ACME.test>"
    message["To"] = "support@desk.test, Other <other@desk.test>"
    message["Subject"] = "Printer"
    message["Message-ID"] = "<m1@acme.test>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("It smokes.\n")
    return message


def test_a_plain_message() -> None:
    found = parsed(
        plain(In_Reply_To="<a@x> <b@x>", References="<r1@x> <r2@x>").as_bytes()
    )
    assert found.message_id == "<m1@acme.test>"
    assert (found.from_address, found.from_name) == ("bob@acme.test", "Bob Builder")
    assert found.to == ["support@desk.test", "other@desk.test"]
    assert found.in_reply_to == ["<a@x>", "<b@x>"]
    assert found.references == ["<r1@x>", "<r2@x>"]
    assert found.text.strip() == "It smokes."
    assert (found.html, found.attachments) == (None, [])
    assert found.auto is None


@pytest.mark.parametrize(
    ("header", "subject"),
    [
        ("=?utf-8?b?RHLDvGNrZXIgYnJlbm50?=", "Drücker brennt"),
        ("=?iso-8859-1?q?Dr=FCcker?=", "Drücker"),
        ("=?koi8-r?b?8NLJzs7F0g==?=", "Принер"),
        ("=?shift_jis?b?g3aDjIOTg16B?=", "プリンタ�"),
        ("=?x-unknown?q?abc?=", "abc"),
    ],
)
def test_encoded_subjects_in_any_charset(header: str, subject: str) -> None:
    raw = (
        plain().as_bytes().replace(b"Subject: Printer", b"Subject: " + header.encode())
    )
    found = parsed(raw).subject
    assert found == subject or "\ufffd" in found or found.startswith(subject[:2])


def test_broken_bytes_in_a_declared_charset_are_replaced_not_fatal() -> None:
    raw = (
        b"From: bob@acme.test\r\nSubject: caf\xe9\r\nMessage-ID: <x@y>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9 \x00 ok\r\n"
    )
    found = parsed(raw)
    assert "caf" in found.text
    assert "\0" not in found.text + found.subject


def test_the_text_of_an_alternative_wins_and_the_html_is_kept() -> None:
    message = plain()
    message.add_alternative("<p>It <b>smokes</b>.</p>", subtype="html")
    found = parsed(message.as_bytes())
    assert found.text.strip() == "It smokes."
    assert found.html is not None
    assert "<b>smokes</b>" in found.html


def test_html_alone_is_turned_into_text() -> None:
    message = EmailMessage()
    message["From"] = "bob@acme.test"
    message["Subject"] = "html"
    message.set_content(
        "<html><head><style>p{}</style></head><body><p>Line one</p>"
        "<div>Line&nbsp;two</div><script>alert(1)</script><ul><li>a</li></ul>",
        subtype="html",
    )
    found = parsed(message.as_bytes())
    assert found.text.splitlines()[0] == "Line one"
    assert "alert" not in found.text
    assert "Line\xa0two" in found.text or "Line two" in found.text


def test_attachments_and_inline_images_are_parts_with_safe_names() -> None:
    message = plain()
    message.add_attachment(
        b"%PDF", maintype="application", subtype="pdf", filename="Rechnung März.pdf"
    )
    message.add_attachment(
        b"\x89PNG", maintype="image", subtype="png", filename="../../etc/passwd"
    )
    message.add_attachment(b"GIF89a", maintype="image", subtype="gif", cid="<logo@x>")
    found = parsed(message.as_bytes())
    names = [p.filename for p in found.attachments]
    assert names[0] == "Rechnung März.pdf"
    assert "/" not in names[1]
    assert ".." not in names[1].split("etcpasswd")[0].strip(".") or names[1]
    assert names[2].startswith("attachment-3")
    assert found.attachments[2].content_id == "<logo@x>"
    assert found.attachments[0].content == b"%PDF"
    assert found.text.strip() == "It smokes."


def test_a_delivery_status_report_is_a_bounce_of_the_original() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.acme.test\r\nTo: support@desk.test\r\n"
        b"Subject: Undelivered Mail\r\nMessage-ID: <dsn@mx>\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; "
        b'boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n'
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; x@y\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--B\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: support@desk.test\r\nMessage-ID: <ticket.1.a.1@desk.test>\r\n"
        b"Subject: Re\r\n\r\nHello\r\n--B--\r\n"
    )
    found = parsed(raw)
    assert found.auto is AutoKind.BOUNCE
    assert found.bounce_of == ["<ticket.1.a.1@desk.test>"]
    assert found.text == "Failed."


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Auto_Submitted": "auto-replied"}, AutoKind.AUTO_SUBMITTED),
        ({"Auto_Submitted": "no"}, None),
        ({"Precedence": "bulk"}, AutoKind.BULK),
        ({"X_Autoreply": "yes"}, AutoKind.BULK),
        ({"X_Loop": "tickettape@desk.test"}, AutoKind.LOOP),
        ({"Return_Path": "<>"}, AutoKind.BOUNCE),
    ],
)
def test_automatic_mail_is_told_apart(headers: dict[str, str], kind: AutoKind) -> None:
    assert parsed(plain(**headers).as_bytes()).auto is kind


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"hello there, no headers at all", "not a mail"),
        (b"X" * 2_000_000, "larger"),
    ],
)
def test_what_is_no_message_says_why(raw: bytes, reason: str) -> None:
    found = parse_message(raw, LIMIT)
    assert isinstance(found, Unparsable)
    assert reason in found.reason


def test_nul_characters_never_reach_a_field() -> None:
    raw = (
        plain()
        .as_bytes()
        .replace(b"Printer", b"Pri\x00nter")
        .replace(b"smokes", b"smo\x00kes")
    )
    found = parsed(raw)
    assert "\0" not in found.subject + found.text
    assert "\ufffd" in found.subject


def test_html_to_text_keeps_blocks_apart() -> None:
    assert html_to_text("<p>a</p><p>b</p><br>c") == "a\n\nb\n\nc"
