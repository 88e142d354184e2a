"""Return requests: one item each, written with the order's returned counts in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oms import clock
from oms.problems import NotFound
from oms.store import cursors, keys, moves, orders
from oms.store.moves import RETURN as RETURN_MACHINE
from oms.store.moves import LostRace
from oms.store.patches import Patch
from oms.store.table import Item, Table, values
from oms.store.unit_of_work import Cancelled, Write, commit, put, update

RETURN = RETURN_MACHINE.name


def create(table: Table, item: Item, order: Item, lines: list[dict[str, Any]]) -> bool:
    """Put the return and count its units on the order's lines; False if this return exists already."""
    entry = {
        "at": clock.now_iso(),
        "type": "return_requested",
        "by": item["customer_id"],
        "return_id": item["id"],
    }
    held = update(
        orders.ORDER,
        keys.order(order["id"]),
        "SET #lines = :lines, open_returns = if_not_exists(open_returns, :zero) + :one, "
        "version = version + :one, timeline = list_append(timeline, :entry)",
        condition="version = :version",
        names={"#lines": "lines"},
        named_values={"lines": lines, "zero": 0, "one": 1, "entry": [entry], "version": order["version"]},
    )
    try:
        commit(table, put(RETURN, item, condition="attribute_not_exists(pk)"), held)
    except Cancelled as cancelled:
        if cancelled.failed_on(RETURN):
            return False
        raise LostRace(order["id"]) from cancelled
    return True


def put_settled(item: Item) -> Write:
    """A request settled as it is made (a refund only that cancels an order not shipped yet): recorded
    once, with the write that settles it; it holds no units on the order."""
    return put(RETURN, item, condition="attribute_not_exists(pk)")


def order_lines(
    order: Item, field: str, units: dict[str, int], open_returns: int, name: str = orders.ORDER
) -> Write:
    """Add ``units[sku]`` to ``field`` of the order's lines and ``open_returns`` to its count of open returns.

    For the transaction that moves the return, which makes it happen exactly once: unconditioned, by list
    paths (lines keep their places), so the rest of the order stays as it is; the version goes up, so
    whoever decided on the order before reads it again.
    """
    sets = ["open_returns = open_returns + :ol_open", "version = version + :ol_one"]
    named: dict[str, Any] = {"ol_open": open_returns, "ol_one": 1}
    left = dict(units)
    for index, line in enumerate(order["lines"]):
        count = left.pop(line["sku"], 0)
        if count:
            path = f"#ol_lines[{index}].#ol_field"
            sets.append(f"{path} = if_not_exists({path}, :ol_zero) + :ol_{index}")
            named[f"ol_{index}"] = count
            named["ol_zero"] = 0
    # DynamoDB refuses names no expression uses.
    names = {"#ol_lines": "lines", "#ol_field": field} if len(sets) > 2 else None
    return update(name, keys.order(order["id"]), "SET " + ", ".join(sets), names=names, named_values=named)


def exchange_noted(item: Item, changes: dict[str, Any], entry: dict[str, Any] | None) -> Write:
    """Record ``changes`` on the return's exchange (same status and version as read)."""
    names = {"#x": "exchange", **{f"#x{i}": k for i, k in enumerate(changes)}}
    patch = Patch(
        sets=tuple(f"#x.#x{i} = :x{i}" for i in range(len(changes))),
        names=names,
        values={f"x{i}": v for i, v in enumerate(changes.values())},
    )
    return moves.edit(RETURN_MACHINE, item, patch, entry)


def reader(table: Table, return_id: str, customer_id: str | None) -> Callable[[], Item]:
    """The return as it is now, for ``races.retry_on_race`` to read again after a lost race."""
    return lambda: get_for(table, return_id, customer_id)


def get(table: Table, return_id: str) -> Item | None:
    return table.get(*keys.return_request(return_id))


def get_for(table: Table, return_id: str, customer_id: str | None) -> Item:
    """The return, for its buyer or (customer_id None) for staff; anyone else is told it does not exist."""
    item = get(table, return_id)
    if item is not None and customer_id in (None, item["customer_id"]):
        return item
    raise NotFound(f"No return {return_id}.", code="return_not_found")


def add_message(table: Table, return_id: str, message: dict[str, Any]) -> Item:
    return table.update(
        *keys.return_request(return_id),
        "SET messages = list_append(if_not_exists(messages, :none), :m)",
        condition="attribute_exists(pk)",
        expression_values=values(m=[message], none=[]),
    )


def list_for_customer(
    table: Table, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[Item], str | None]:
    start = cursors.decode(
        cursor, cursors.BY_CUSTOMER_KEY, {"customer_key": keys.customer_returns(customer_id)}
    )
    items, last = table.query(
        "customer_key = :ck",
        index="by_customer",
        expression_values=values(ck=keys.customer_returns(customer_id)),
        limit=limit,
        start_key=start,
        forward=False,
    )
    return items, cursors.encode(last)
