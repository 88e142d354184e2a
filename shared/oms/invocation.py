"""The running invocation's deadline, for claims that must not outlive the attempt that takes them.

Lambda ends an invocation, and its process, at the function's timeout. So a claim that lapses at that
moment is still held while its holder can act, and is free by the time any redelivery of a timed-out
attempt arrives: SQS waits out its visibility timeout in AWS, the local stack redelivers within a second.
A fixed lease could do only one of the two.

Kept in a context variable, as the correlation id is: the in-process stack runs functions on threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from oms import clock

_deadline: ContextVar[datetime | None] = ContextVar("invocation_deadline", default=None)


@contextlib.contextmanager
def running(context: Any) -> Iterator[None]:
    """Within the block, claims lapse when Lambda ends this invocation (``context``: the handler's)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    deadline = clock.now() + timedelta(milliseconds=remaining()) if callable(remaining) else None
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def claim_until(outside: timedelta) -> datetime:
    """When a claim taken now lapses: at the invocation's end, or after ``outside`` where no invocation is
    running (a script or a test calling the rule directly)."""
    deadline = _deadline.get()
    return deadline if deadline is not None else clock.now() + outside
