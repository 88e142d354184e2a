"""Helpers shared by the lifecycle use cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from oms.problems import Conflict
from oms.store import orders
from oms.store.table import Item, Table
from oms.store.transitions import LostRace

T = TypeVar("T")
RACE_ATTEMPTS = 5


def retry_on_race(table: Table, order_id: str, customer_id: str | None, act: Callable[[Item], T]) -> T:
    """Read the order, act on it; if it moved meanwhile, read again and decide again (bounded)."""
    for _ in range(RACE_ATTEMPTS):
        order = orders.get_for(table, order_id, customer_id)
        try:
            return act(order)
        except LostRace:
            continue
    raise Conflict("The order is changing right now; retry.", code="order_busy")


def retry_return_on_race(
    table: Table, return_id: str, customer_id: str | None, act: Callable[[Item], T]
) -> T:
    """The same for a return: read it, act on it, and decide again if it moved meanwhile."""
    from oms.store import returns

    for _ in range(RACE_ATTEMPTS):
        item = returns.get_for(table, return_id, customer_id)
        try:
            return act(item)
        except LostRace:
            continue
    raise Conflict("The return is changing right now; retry.", code="return_busy")
