"""The throttle on bad tokens: a sliding window per client address, bounded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.throttle import AuthThrottle, client_key
from tests.unit.builders import Ticks
from tickettape.bootstrap import auth_throttle
from tickettape.settings import Settings


def test_a_client_may_fail_so_often_in_a_window_then_waits_for_the_oldest() -> None:
    clock = Ticks()
    throttle = AuthThrottle(3, window=60.0, clock=clock)
    held = []
    for second in (0, 10, 20):
        clock.now = 1000.0 + second
        assert throttle.wait("10.0.0.1") == 0
        held.append(throttle.failed("10.0.0.1"))
    assert held == [False, False, True]
    # The first failure (at 0) ages out at 60.
    assert throttle.wait("10.0.0.1") == 40
    clock.now = 1059.5
    assert throttle.wait("10.0.0.1") == 1
    clock.now = 1060.0
    assert throttle.wait("10.0.0.1") == 0
    # One more failure within the window of the other two: refused again
    # until the one at 10 ages out.
    throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == 10


def test_the_addresses_held_back_now_are_counted() -> None:
    clock = Ticks()
    throttle = AuthThrottle(2, clock=clock)
    throttle.failed("a")
    throttle.failed("a")
    throttle.failed("b")
    assert throttle.held_back() == 1
    clock.now += 61
    assert throttle.held_back() == 0


def test_clients_are_counted_apart() -> None:
    clock = Ticks()
    throttle = AuthThrottle(1, clock=clock)
    throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == 60
    assert throttle.wait("10.0.0.2") == 0
    assert throttle.wait("") == 0


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8::ffff:1", "2001:db8::/64"),
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("testclient", "testclient"),
        ("", ""),
    ],
)
def test_an_ipv6_client_counts_as_its_64(host: str, key: str) -> None:
    """A host is given a whole /64 and may pick any address in it."""
    assert client_key(host) == key


def test_the_longest_quiet_addresses_are_forgotten_first() -> None:
    clock = Ticks()
    throttle = AuthThrottle(1, clients=2, clock=clock)
    throttle.failed("a")
    throttle.failed("b")
    throttle.failed("a")  # a fails again: b is now the longest quiet
    throttle.failed("c")
    assert throttle.wait("a") > 0
    assert throttle.wait("b") == 0
    assert throttle.wait("c") > 0


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.floats(0, 200)), min_size=1, max_size=60
    ),
    st.integers(1, 5),
)
def test_never_more_failures_in_a_window_than_allowed(
    steps: list[tuple[str, float]], failures: int
) -> None:
    """Whatever the order and spacing of attempts, a client that tries only when
    let through fails at most `failures` times in any window, and is let
    through again once its failures have aged out."""
    clock = Ticks()
    throttle = AuthThrottle(failures, window=60.0, clients=3, clock=clock)
    counted: dict[str, list[float]] = {}
    for client, step in steps:
        clock.now += step
        if throttle.wait(client) == 0:
            throttle.failed(client)
            counted.setdefault(client, []).append(clock.now)
        in_window = [t for t in counted.get(client, []) if t > clock.now - 60.0]
        assert len(in_window) <= failures
    clock.now += 61.0
    assert all(throttle.wait(client) == 0 for client in "abc")


def test_a_throttle_needs_sensible_limits() -> None:
    with pytest.raises(ValueError, match="failures"):
        AuthThrottle(0)
    with pytest.raises(ValueError, match="window"):
        AuthThrottle(1, window=0)


def test_the_settings_turn_it_on_by_default_and_off_with_zero() -> None:
    on = auth_throttle(Settings())
    assert on is not None
    assert on.failures == 30
    assert on.window == 60.0
    assert auth_throttle(Settings(auth_failures_per_minute=0)) is None
