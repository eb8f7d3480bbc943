"""The hostile tests' footing: every write endpoint is listed and reachable."""

from __future__ import annotations

from tests.e2e.hostile_world import (
    DOCUMENT,
    KNOWN_WRITES,
    OPERATIONS,
    ROUTES,
    Sent,
    Worlds,
    dangling_refs,
    headers_for,
    send,
)


def test_every_write_endpoint_is_enumerated() -> None:
    documented = {(op.method, op.path) for op in OPERATIONS}
    assert documented == ROUTES, "a write route is missing from the OpenAPI document"
    assert documented == KNOWN_WRITES, "list a new write endpoint in KNOWN_WRITES"


def test_every_schema_reference_resolves() -> None:
    assert dangling_refs(DOCUMENT) == set()


def test_every_path_parameter_has_an_existing_value() -> None:
    world = Worlds().get()
    for op in OPERATIONS:
        segments = op.path.split("/")
        for param in op.params:
            before = segments[segments.index(f"{{{param}}}") - 1]
            assert param in world.existing or f"{before}/{param}" in world.existing


def test_the_world_accepts_valid_writes() -> None:
    """The fuzzing aims at real records: existing names do reach the commands."""
    world = Worlds().get()
    number = world.existing["number"][0]
    sent = Sent("POST", f"/api/v1/tickets/{number}/tags", b'{"tag": "new"}')
    sent.headers = headers_for(world, "admin", "application/json")
    send(world, sent)
    assert world.dirty
