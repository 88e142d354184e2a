"""Helpers shared by the lifecycle use cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from oms.problems import Conflict
from oms.store import orders, returns
from oms.store.table import Item, Table
from oms.store.transitions import LostRace

T = TypeVar("T")
RACE_ATTEMPTS = 5


def _retry(read: Callable[[], Item], act: Callable[[Item], T], busy: Conflict) -> T:
    """Read, act; if the item moved meanwhile (a lost conditional write), read again and decide again."""
    for _ in range(RACE_ATTEMPTS):
        try:
            return act(read())
        except LostRace:
            continue
    raise busy


def retry_on_race(table: Table, order_id: str, customer_id: str | None, act: Callable[[Item], T]) -> T:
    """Act on the order as it is now, bounded retries if it moves meanwhile."""
    busy = Conflict("The order is changing right now; retry.", code="order_busy")
    return _retry(lambda: orders.get_for(table, order_id, customer_id), act, busy)


def retry_return_on_race(
    table: Table, return_id: str, customer_id: str | None, act: Callable[[Item], T]
) -> T:
    """The same for a return."""
    busy = Conflict("The return is changing right now; retry.", code="return_busy")
    return _retry(lambda: returns.get_for(table, return_id, customer_id), act, busy)
