"""Any bytes handed in as a message become an article or a quarantined record
with a reason: never an error, never nothing, and never twice."""

from __future__ import annotations

from email.message import EmailMessage

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.mail import ORIGINAL_NAME, MailState, mail_id
from mail.intake import DEFAULT_TERMS, IntakeLimits, MailIntake
from tests.e2e.memory_desk import MemoryBlobs, staffed_desk


def _valid() -> bytes:
    message = EmailMessage()
    message["From"] = "Bob <bob@acme.test>"
    message["To"] = "support@desk.test"
    message["Subject"] = "=?utf-8?q?Dr=C3=BCcker_brennt?="
    message["Message-ID"] = "<fire@acme.test>"
    message.set_content("Es brennt.\n")
    message.add_attachment(
        b"%PDF-1.4", maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    return message.as_bytes()


VALID = _valid()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real message with bytes flipped, cut out or put in."""
    raw = bytearray(VALID)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(raw) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "put"]))
        if kind == "flip":
            raw[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[at : at + draw(st.integers(1, 40))]
        else:
            raw[at:at] = draw(st.binary(min_size=1, max_size=20))
        if not raw:
            break
    return bytes(raw)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raw=st.one_of(st.binary(max_size=2000), mutated()))
def test_any_bytes_become_an_article_or_a_quarantined_record(raw: bytes) -> None:
    desk, blobs = staffed_desk(), MemoryBlobs()
    intake = MailIntake(desk, blobs, DEFAULT_TERMS, IntakeLimits(4096))
    receipt = intake.take(raw)
    event(f"{receipt.state.value} {receipt.reason or receipt.threaded_by}")
    assert not receipt.duplicate
    assert desk.exists(mail_id(receipt.key))
    if receipt.state is MailState.TAKEN:
        assert receipt.number is not None
        article = desk.ticket(receipt.number).articles[-1]
        assert article.article_id == receipt.article_id
        [original] = [a for a in article.attachments if a.name == ORIGINAL_NAME]
        assert blobs.get(original.sha256) == raw
    else:
        assert receipt.state is MailState.QUARANTINED
        assert receipt.reason
    again = intake.take(raw)
    assert again.duplicate
    assert (again.key, again.number) == (receipt.key, receipt.number)
