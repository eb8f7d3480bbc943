"""The lint rule that keeps tests sharing helpers, not each other."""

from __future__ import annotations

import pytest

from tools.check_test_imports import ROOT, offences

UNIT = ROOT / "tests" / "unit" / "test_example.py"
BENCH = ROOT / "bench" / "example.py"


@pytest.mark.parametrize(
    "source",
    [
        "from tests.e2e.test_activity import feed",
        "import tests.projections.test_layouts",
        "from tests.e2e import test_search",
        "from tests.conftest import DeskFactory",
        "from .conftest import OpenTicket",
        "from . import conftest",
        "from ..projections.test_worker import NEVER",
    ],
)
def test_a_test_importing_a_test_module_or_a_conftest_is_an_offence(
    source: str,
) -> None:
    assert len(offences(UNIT, source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "from tests.stores import DeskFactory",
        "from .builders import OpenTicket",
        "from tests.e2e.memory_desk import Auth, MemoryBlobs",
        "from tools.throwaway_postgres import with_schema",
        "import pytest",
    ],
)
def test_helper_modules_may_be_imported_from_tests(source: str) -> None:
    assert offences(UNIT, source) == []


def test_bench_imports_nothing_of_the_tests() -> None:
    assert offences(BENCH, "from tests.stores import new_schema_name") != []
    assert offences(BENCH, "from tools.throwaway_postgres import with_schema") == []
