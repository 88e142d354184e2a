"""The one read-decide-write-retry policy: read the item, decide, write conditioned on what was read;
when someone else wrote first, read again and decide again — a bounded number of times.

Giving up is :class:`~oms.store.table.StoreBusy`, which every edge answers the same way: HTTP 503
``busy`` with ``Retry-After``; a queue or a workflow step retries later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from oms.store.moves import LostRace
from oms.store.table import Item, StoreBusy

T = TypeVar("T")
RACE_ATTEMPTS = 5


def retry_on_race(read: Callable[[], Item], act: Callable[[Item], T], what: str) -> T:
    """``act`` on the item as it is now; re-read and act again while it loses races, then give up."""
    for _ in range(RACE_ATTEMPTS):
        try:
            return act(read())
        except LostRace:
            continue
    raise StoreBusy(f"{what} kept changing while being written")


def retry(attempt: Callable[[], T], what: str) -> T:
    """The same bound for a use case that reads inside ``attempt`` and raises :class:`LostRace`."""
    for _ in range(RACE_ATTEMPTS):
        try:
            return attempt()
        except LostRace:
            continue
    raise StoreBusy(f"{what} kept changing while being written")
