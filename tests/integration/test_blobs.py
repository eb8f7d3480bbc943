"""Attachment content goes in by value and comes out by its sha256, nothing else."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from domain.attachments import BlobStore
from tickettape.blobs import DirectoryBlobStore, PostgresBlobStore
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

CONTENT = b"%PDF-1.7 invoice for ACME\x00\xff" * 100
DIGEST = hashlib.sha256(CONTENT).hexdigest()


def test_content_round_trips_under_its_sha256(blob_store: BlobStore) -> None:
    digest = blob_store.put(CONTENT)

    assert digest == DIGEST
    assert blob_store.get(digest) == CONTENT


def test_every_byte_value_and_a_large_blob_come_back_exact(
    blob_store: BlobStore,
) -> None:
    # PostgreSQL's blobs are read in binary: nothing escaped, nothing lost.
    every_byte = bytes(range(256)) * 3
    large = hashlib.sha512(b"seed").digest() * 40_000  # 2.5 MB

    for content in (every_byte, large):
        digest = blob_store.put(content)
        back = blob_store.get(digest)
        assert type(back) is bytes
        assert back == content


def test_empty_content_is_a_blob_too(blob_store: BlobStore) -> None:
    digest = blob_store.put(b"")

    assert blob_store.get(digest) == b""


def test_putting_the_same_content_again_is_harmless(blob_store: BlobStore) -> None:
    first = blob_store.put(CONTENT)
    with ThreadPoolExecutor(4) as pool:
        again = list(pool.map(blob_store.put, [CONTENT] * 8))

    assert again == [first] * 8
    assert blob_store.get(first) == CONTENT


def test_an_unknown_digest_is_none(blob_store: BlobStore) -> None:
    blob_store.put(CONTENT)

    assert blob_store.get(hashlib.sha256(b"other").hexdigest()) is None


@pytest.mark.parametrize(
    "digest",
    [
        "../etc/passwd",
        "/etc/passwd",
        "",
        DIGEST.upper(),
        DIGEST[:-1],
        DIGEST + "0",
        DIGEST + "\n",
        f"../{DIGEST[:2]}/{DIGEST}",
        "g" * 64,
    ],
    ids=[
        "parent",
        "absolute",
        "empty",
        "upper-case",
        "short",
        "long",
        "newline",
        "relative",
        "not-hex",
    ],
)
def test_a_malformed_digest_is_none(blob_store: BlobStore, digest: str) -> None:
    blob_store.put(CONTENT)

    assert blob_store.get(digest) is None


@pytest.mark.postgres
def test_a_blob_commits_without_its_own_flush_and_the_session_keeps_its_setting(
    postgres_schema_url: str,
) -> None:
    """Only the blob's own commit skips the flush: the pooled connection answers
    the next statement with the server's setting, so nothing else on it (or on
    a pooler's connection it is handed on to) commits unflushed."""
    store = PostgresBlobStore(
        libpq_conninfo(Settings(database_url=postgres_schema_url)), max_size=1
    )
    try:
        digest = store.put(CONTENT)
        with store._alone() as cursor:  # the pool's one connection
            cursor.execute("SHOW synchronous_commit")
            row = cursor.fetchone()
    finally:
        store.close()

    assert digest == DIGEST
    assert row is not None
    assert row[0] == "on"


def test_directory_blobs_are_sharded_files_without_leftovers(tmp_path: Path) -> None:
    store = DirectoryBlobStore(tmp_path / "blobs")

    store.put(CONTENT)
    store.put(CONTENT)

    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [tmp_path / "blobs" / DIGEST[:2] / DIGEST]
    assert files[0].read_bytes() == CONTENT


def test_directory_store_never_reads_outside_its_root(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"not a blob")
    store = DirectoryBlobStore(tmp_path / "blobs")

    assert store.get("../secret") is None
    assert store.get(str(secret)) is None
