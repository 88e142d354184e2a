"""A claim taken during an invocation lapses when Lambda ends the invocation, not after a fixed lease."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from oms import clock, invocation

OUTSIDE = timedelta(seconds=60)


class Context:
    """The one method of Lambda's context the deadline reads."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _within(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) < timedelta(seconds=1)


def test_outside_an_invocation_a_claim_lasts_the_given_lease() -> None:
    assert _within(invocation.claim_until(OUTSIDE), clock.now() + OUTSIDE)


def test_inside_one_it_lapses_when_the_invocation_ends_and_the_lease_is_forgotten_after() -> None:
    with invocation.running(Context(2_500)):
        assert _within(invocation.claim_until(OUTSIDE), clock.now() + timedelta(milliseconds=2_500))
    assert _within(invocation.claim_until(OUTSIDE), clock.now() + OUTSIDE)


def test_the_deadline_is_on_the_service_clock() -> None:
    # The local stack moves the clock; a lease must be compared on the clock its readers use.
    clock.advance(3600)
    try:
        with invocation.running(Context(10_000)):
            assert _within(invocation.claim_until(OUTSIDE), clock.now() + timedelta(seconds=10))
    finally:
        clock.reset()


def test_a_context_without_a_deadline_keeps_the_lease() -> None:
    with invocation.running(object()):
        assert _within(invocation.claim_until(OUTSIDE), clock.now() + OUTSIDE)


def test_each_thread_sees_its_own_invocation() -> None:
    # The in-process stack runs functions on threads: one's deadline is not another's.
    seen: list[datetime] = []
    with invocation.running(Context(1_000)):
        worker = threading.Thread(target=lambda: seen.append(invocation.claim_until(OUTSIDE)))
        worker.start()
        worker.join()
    assert _within(seen[0], clock.now() + OUTSIDE)
