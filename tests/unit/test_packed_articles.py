"""A ticket's articles as a snapshot brings them: packed until read, unpacked
once, the same list whichever way it is read or copied."""

from __future__ import annotations

import copy
import pickle
import threading
from datetime import UTC, datetime

from domain.articles import Article, Articles
from domain.attachments import AttachmentRef
from domain.desk import HelpDesk
from domain.desk.snapshots import state_transcoder, unpack_articles
from tests.snapshotted import through_a_snapshot

Unpacked = list[bytes]


def note(n: int) -> Article:
    return Article(f"n{n}", "agent", "internal", "note", f"note {n}")


NOTES = [note(n) for n in range(5)]
IDS = [a.article_id for a in NOTES]
STORED = state_transcoder().encode(NOTES)


def packed_notes() -> tuple[Articles, Unpacked]:
    """Five notes packed as a snapshot stores them, and a log of unpackings."""
    unpacked: Unpacked = []

    def unpack(data: bytes) -> list[Article]:
        unpacked.append(data)
        return unpack_articles(data)

    return Articles.packed(IDS, STORED, unpack), unpacked


def test_counting_finding_and_adding_leave_them_packed() -> None:
    articles, unpacked = packed_notes()

    articles.append(note(5))

    assert len(articles) == 6
    assert articles.has("n0")
    assert articles.has("n5")
    assert not articles.has("n6")
    assert articles.ids() == [f"n{n}" for n in range(6)]
    assert unpacked == []
    assert articles.still_packed() is not None


def test_reading_unpacks_once_with_the_articles_added_after() -> None:
    articles, unpacked = packed_notes()
    articles.append(note(5))

    assert articles[0] == note(0)
    assert list(articles) == [*NOTES, note(5)]
    assert articles[-2:] == [note(4), note(5)]
    assert len(unpacked) == 1
    assert articles.still_packed() is None
    articles.append(note(6))
    assert articles[-1] == note(6)
    assert len(articles) == 7


def test_a_copy_stays_packed_and_equal() -> None:
    # Pickled (as the desk copies the records it shares) with the module's
    # unpacker, deep-copied with any.
    articles = Articles.packed(IDS, STORED, unpack_articles)
    articles.append(note(5))
    counted, unpacked = packed_notes()
    counted.append(note(5))

    for twin in (pickle.loads(pickle.dumps(articles)), copy.deepcopy(counted)):
        assert twin.still_packed() is not None
        twin.append(note(6))
        assert twin == [*NOTES, note(5), note(6)]
    assert articles.still_packed() is not None
    assert counted.still_packed() is not None
    assert len(unpacked) == 1  # the deep copy's, not the original's
    assert articles == counted
    assert len(articles) == 6
    assert articles != Articles(NOTES)


def test_readers_racing_to_unpack_all_see_every_article() -> None:
    for _ in range(50):
        articles, _ = packed_notes()
        seen: list[list[Article]] = []
        readers = [
            threading.Thread(target=lambda a=articles, s=seen: s.append(list(a)))
            for _ in range(4)
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        assert seen == [NOTES] * 4


def test_unpacked_articles_compare_as_their_list() -> None:
    assert Articles(NOTES) == NOTES
    assert Articles(NOTES) == Articles(NOTES)
    assert Articles(NOTES) != Articles(NOTES[:4])
    assert Articles() == []
    assert not Articles()


def test_the_unpacker_reads_what_the_desks_own_transcoder_wrote() -> None:
    mailed = Article(
        "m1",
        "customer",
        "public",
        "email",
        "See the scan.",
        attachments=[AttachmentRef("scan.pdf", "application/pdf", 3, "0" * 64)],
        author="customer:bob@acme.test",
        created_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    )
    desk = HelpDesk(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        written = desk.mapper.transcoder.encode([*NOTES, mailed])
    finally:
        desk.close()

    assert written == state_transcoder().encode([*NOTES, mailed])
    assert unpack_articles(written) == [*NOTES, mailed]


def test_line_breaks_in_ids_and_bodies_keep_the_two_parts_apart() -> None:

    odd = [
        Article("id\nwith a line", "agent", "internal", "note", "body\n\r\n"),
        Article("id\u2028sep", "agent", "internal", "note", "\u2028\u2029\x00"),
    ]

    back = through_a_snapshot(Articles(odd))

    assert back.ids() == ["id\nwith a line", "id\u2028sep"]
    assert list(back) == odd
