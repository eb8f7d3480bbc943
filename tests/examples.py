"""The terms property tests run on when they also take pytest fixtures."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def examples_with_fixtures(max_examples: int) -> settings:
    """Settings for a property test whose fixtures (a store) outlive its examples.

    No deadline: a store round trip on a busy machine is no failure. The fixture
    health check is off: each test minds what its examples share (it wipes the
    views or makes a store of its own per example).
    """
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
