"""Processes started together race to create PostgreSQL's tables: the loser of
a catalog race tries again; any other failure is not hidden."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError, InternalError, ProgrammingError

from storage.racing import CREATE_ATTEMPTS, despite_racing_creators


def test_a_lost_catalog_race_is_tried_again() -> None:
    calls: list[int] = []

    def create() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise InternalError("tuple concurrently updated")

    despite_racing_creators(create)
    assert len(calls) == 3


def test_other_failures_and_endless_races_are_raised() -> None:
    def broken() -> None:
        raise ProgrammingError("permission denied for schema public")

    with pytest.raises(ProgrammingError):
        despite_racing_creators(broken)
    calls: list[int] = []

    def always() -> None:
        calls.append(1)
        raise InternalError("tuple concurrently updated")

    with pytest.raises(InternalError):
        despite_racing_creators(always)
    assert len(calls) == CREATE_ATTEMPTS


def test_a_duplicate_in_the_catalog_is_a_lost_race_a_duplicate_row_is_not() -> None:
    calls: list[int] = []

    def create() -> None:
        calls.append(1)
        if len(calls) < 2:
            raise IntegrityError(
                'duplicate key value violates unique constraint "pg_type_typname_'
                'nsp_index"\nDETAIL:  Key (typname, typnamespace)=(view_tracking, '
                "22089) already exists."
            )

    despite_racing_creators(create)
    assert len(calls) == 2

    def duplicate_row() -> None:
        raise IntegrityError(
            'duplicate key value violates unique constraint "view_tracking_pkey"'
        )

    with pytest.raises(IntegrityError):
        despite_racing_creators(duplicate_row)
