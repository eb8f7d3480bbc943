"""The scenarios of issues 6, 14 (SLA), 15 (mail) and 16 (HTTP reads), what
each compares with what, and their targets.

A scenario is a function from fresh stores of one kind and the counts to its
comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench import (
    append,
    http,
    http_reads,
    load,
    mail,
    rebuild,
    sla,
    verify,
    views_scale,
)
from bench.counts import Counts
from bench.figures import Comparison, Target
from bench.stores import BenchStores

Runner = Callable[[BenchStores, Counts], list[Comparison]]


@dataclass(frozen=True)
class Scenario:
    """One scenario: what it compares with what, and its targets."""

    key: str
    number: int
    title: str
    baseline: str
    targets: tuple[Target, ...]
    run: Runner


SCENARIOS = (
    Scenario(
        "append",
        1,
        "Append",
        "the same rows (topic, state bytes, versions) in the same transactions, "
        "inserted into a table with the library's columns and keys by sqlite3 "
        "(BEGIN/INSERT/COMMIT, WAL) or psycopg (pipelined executemany RETURNING "
        "notification_id), without LOCK TABLE, NOTIFY or the reads before a write; "
        "N raw writers use N connections; the no-database row runs the same desk "
        "on the library's in-memory store against the same raw writer (the most "
        "its own Python leaves of the raw rate)",
        (append.ONE_WRITER, append.EIGHT_WRITERS),
        append.run,
    ),
    Scenario(
        "load",
        2,
        "Load (ticket zoom)",
        "desk.ticket() of a 10-event ticket on the same desk, timed alternately "
        "with the long one; the cache-off rows use a desk with the record cache "
        "off on the same store (what the first zoom after a change made by "
        "another process costs); the no-snapshot rows use a desk without "
        "snapshots on a store holding copies of the same streams",
        (load.ZOOM,),
        load.run,
    ),
    Scenario(
        "http",
        3,
        "HTTP",
        "GET /healthz on the same uvicorn server at the same concurrency (the "
        "HTTP floor); load from a separate process over keep-alive connections",
        (http.CREATE,),
        http.run,
    ),
    Scenario(
        "rebuild",
        4,
        "Rebuild",
        "the view's topics read by a raw keyset scan of the event table on its "
        "own connection (SELECT every column WHERE id > ? AND id <= ? AND topic "
        "IN (...) ORDER BY id LIMIT batch), each event upserting its ticket's row "
        "(a key and 20 values, the ticket summary's width) into a plain table "
        "beside the views (INSERT ... ON CONFLICT DO UPDATE, one executemany and "
        "one transaction per batch of views_batch_size); both rates count the "
        "log's events per second of the whole run, ours and raw alternating; the "
        "decoding-alone rows read and decode the same events through the library "
        "and apply none (the most a rebuild that decodes every event could reach)",
        (rebuild.REBUILD,),
        rebuild.run,
    ),
    Scenario(
        "views",
        5,
        "Views at scale",
        "each read at the larger size against the same read at the smaller "
        "on the same store: the ratio is the growth of the median, "
        "the p99 growth is in the JSON notes; tickets seeded in bulk with the "
        "Ticket aggregate's own events (bench/bulk_tickets.py); bulk seeding "
        "against the desk's open_ticket one command at a time; full mode is 10k "
        "vs 100k (--views-tickets 1000000 for 100k vs 1M), quick 600 vs 3,000",
        (views_scale.VIEWS_TARGET,),
        views_scale.run,
    ),
    Scenario(
        "verify",
        6,
        "Verify and export",
        "a raw keyset scan of the same event table on its own connection "
        "(SELECT every column ORDER BY id in pages of 1,000) that looks at every "
        "value, alternating run by run with verify (the chain built and a "
        "checkpoint signed beforehand) and with export (JSONL to a file); then "
        "a tenth more events and verify since the checkpoint against the raw "
        "scan of those alone; the hashes-alone row is the raw scan computing the "
        "five hashes verify computes for each event and comparing none (the most "
        "a verify that computes them could reach)",
        (verify.VERIFY,),
        verify.run,
    ),
    Scenario(
        "sla",
        7,
        "SLA (issue 14)",
        "each escalation view read, and the worker tick's view side "
        "(rung_alarms + expired_pending, the same 200 rung alarms and 20 expired "
        "pending tickets at both sizes), at the larger size against the same at "
        "the smaller on the same store; the view's tables seeded with SQL "
        "(synthetic rows as the view writes them: 30% of tickets unfinished with "
        "1-3 counting clocks due over +-30 days, 20 queues, 50 owners, pending "
        "ones paused); full mode is 100k vs 1M tickets, quick 10k vs 100k. On "
        "2,000 real tickets (5-20 events each, Berlin office hours): clock "
        "evaluation (events read, timeline_of, read_clocks) against decoding the "
        "same events alone, and the whole tick (its commands included) against "
        "its view side",
        (sla.READS_TARGET, sla.TICK_TARGET),
        sla.run,
    ),
    Scenario(
        "mail",
        8,
        "Mail in (issue 15)",
        "the same messages (text with HTML, every fifth with a 20 KB PDF, every "
        "other a reply) parsed by the standard library alone in the same process "
        "(BytesParser with policy.default, the body's text and each attachment "
        "read), alternating with ours every 10 messages: each sent over one SMTP "
        "connection on loopback to the listener, answered once recorded",
        (mail.INGEST,),
        mail.run,
    ),
    Scenario(
        "reads",
        9,
        "HTTP reads (issue 16)",
        "GET /healthz on the same uvicorn server at the same concurrency (the "
        "HTTP floor), load from a separate process over keep-alive connections; "
        "an agent's zoom (200 tickets of their group's queues), ticket list of "
        "25, queue work list of 25 and one-word search over tickets seeded in "
        "bulk and projected into every view (full mode 100k, quick 3,000); the "
        "server's resident memory after the load is in the notes",
        (http_reads.READS,),
        http_reads.run,
    ),
)

KEYS = tuple(scenario.key for scenario in SCENARIOS)
