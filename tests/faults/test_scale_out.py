"""Scale-out on one PostgreSQL: two API processes and two projection workers.

Both API processes serve writes and reads at once (both keep the audit chain,
as `serve` does by default; the first alone runs the escalation worker), while
the views are kept by two `projections run` workers, each with half of them.
Afterwards every acknowledged write is stored exactly once, the views equal a
rebuild, and the archive verifies; how many writes each side had acknowledged
is printed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from projections.catalogue import all_views
from tests.faults.checks import assert_followed, assert_sound, figures
from tests.faults.load import Load, under_load
from tests.faults.served import first_admin_token, serving
from tests.projections.worker_process import worker
from tickettape.settings import Settings

#: Seconds both API processes are under load together.
STEADY = 3.0
APART = {"TICKETTAPE_VIEWS_IN_PROCESS": "false"}

pytestmark = pytest.mark.postgres


def test_two_api_processes_and_two_workers_lose_and_double_nothing(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path / "var")
    token = first_admin_token(settings)
    names = [view.name for view in all_views()]
    halves = names[::2], names[1::2]
    with (
        serving(settings, tmp_path / "first.log", **APART) as first,
        serving(
            settings,
            tmp_path / "second.log",
            TICKETTAPE_SLA_IN_PROCESS="false",
            **APART,
        ) as second,
        worker(settings, tmp_path / "views-a.log", *halves[0]) as views_a,
        worker(settings, tmp_path / "views-b.log", *halves[1]) as views_b,
    ):
        with (
            under_load(first.port, token, "first") as one,
            under_load(second.port, token, "second") as other,
        ):
            time.sleep(STEADY)
        one.settle()
        other.settle()
        assert views_a.process.poll() is None, views_a.output()
        assert views_b.process.poll() is None, views_b.output()
        assert_followed(settings, first, second)
        assert views_a.terminate() == 0, views_a.output()
        assert views_b.terminate() == 0, views_b.output()

    for load in (one, other):
        print(f"\n{load.name}: {acknowledged(load)} writes; {figures(load.replies)}")
    assert acknowledged(one) > 0
    assert acknowledged(other) > 0
    assert_sound(settings, merged(one, other))


def acknowledged(load: Load) -> int:
    """The writes the API acknowledged."""
    return sum(1 for write in load.writes if write.acknowledged)


def merged(*loads: Load) -> Load:
    """One load holding every reply and write of these."""
    both = Load(loads[0].port, loads[0].token)
    for load in loads:
        both.replies += load.replies
        both.writes += load.writes
    return both
