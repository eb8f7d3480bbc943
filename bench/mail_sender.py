"""The sending mail server of the mail-in bench, run as its own process.

`python -m bench.mail_sender PORT` connects to the listener's loopback port
over SMTP and keeps the connection. Each line it reads is a JSON job (how many
messages, the first one's number); it sends those messages and prints one line,
each one's latency (seconds, a JSON list). It ends when its input does.
"""

from __future__ import annotations

import json
import smtplib
import sys
import time
from email import policy
from email.message import EmailMessage


def messages(count: int, start: int) -> list[bytes]:
    """New messages and replies: text with HTML, every fifth with a 20 KB PDF,
    every other one a reply to the one before by its ticket tag."""
    made = []
    for n in range(start, start + count):
        message = EmailMessage()
        message["From"] = f"Customer {n % 50} <customer{n % 50}@acme.test>"
        message["To"] = "support@desk.test"
        message["Subject"] = f"Printer {n // 2} on fire" + (" (more)" if n % 2 else "")
        message["Message-ID"] = f"<bench{n}@acme.test>"
        if n % 2:
            message["In-Reply-To"] = f"<bench{n - 1}@acme.test>"
        text = f"Hello,\n\nprinter {n} smokes since this morning.\n" * 8
        message.set_content(text)
        message.add_alternative(f"<p>{text}</p>", subtype="html")
        if n % 5 == 0:
            message.add_attachment(
                bytes(range(256)) * 80,
                maintype="application",
                subtype="pdf",
                filename=f"invoice-{n}.pdf",
            )
        made.append(message.as_bytes(policy=policy.SMTP))
    return made


def send(client: smtplib.SMTP, count: int, start: int) -> list[float]:
    """Send the messages; the seconds each took until the listener answered."""
    latencies = []
    for raw in messages(count, start):
        began = time.perf_counter()
        client.sendmail("customer@acme.test", ["support@desk.test"], raw)
        latencies.append(time.perf_counter() - began)
    return latencies


def main() -> None:
    """Connect to the port in argv, then send each job read from stdin."""
    with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60) as client:
        for line in sys.stdin:
            job = json.loads(line)
            latencies = send(client, int(job["count"]), int(job["start"]))
            print(json.dumps(latencies), flush=True)


if __name__ == "__main__":
    main()
