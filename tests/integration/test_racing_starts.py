"""Processes started together on an empty PostgreSQL store all come up: the
losers of the race to create the tables try again (storage/racing.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

REPOSITORY = Path(__file__).resolve().parents[2]
#: What `serve`, `projections run` and `sla run` do first: open the stores.
OPEN = (
    "import sys, pathlib\n"
    "from tickettape.settings import Settings\n"
    "from tickettape.bootstrap import open_runtime\n"
    "url, data = sys.argv[1], pathlib.Path(sys.argv[2])\n"
    "open_runtime(Settings(database_url=url, data_dir=data)).close()\n"
)
TOGETHER = 3
ROUNDS = 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_processes_started_together_on_an_empty_store_all_come_up(
    postgres_schema_url: str, tmp_path: Path, round_: int
) -> None:
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, postgres_schema_url, str(tmp_path / str(n))],
            cwd=REPOSITORY,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(TOGETHER)
    ]
    failures = []
    for start in starts:
        _, errors = start.communicate(timeout=120)
        if start.returncode != 0:
            failures.append(errors.strip().splitlines()[-3:])
    assert failures == []
