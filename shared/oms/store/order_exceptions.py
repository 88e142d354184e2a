"""Exceptions on orders: one item each (``pk=ORDER#id, sk=EXCEPTION#exc_…``) plus a summary in the order.

While open, the item sits in the ``queues`` index under ``EXCEPTIONS`` keyed by ``deadline#id``, so the back
office reads the open ones, nearest deadline first, without a scan; resolving takes it out. The order
keeps a short entry per exception in its ``exceptions`` list (what the order view shows and what holds
auto-confirmation back), changed in the same transaction as the item.
"""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.domain.order_exceptions import DEFAULT_OWNER, OPEN, RESOLVED
from oms.store import cursors, keys, moves
from oms.store.patches import Patch
from oms.store.table import Item, Table, compact, values
from oms.store.unit_of_work import Write, put, update

QUEUE = "EXCEPTIONS"
EXCEPTION = "exception"
SUMMARY_FIELDS = ("id", "kind", "status", "opened_at", "owner", "deadline", "source", "shipment_id")


def new_exception(
    order: Item,
    exception_id: str,
    kind: str,
    *,
    by: str,
    source: str,
    deadline: str,
    owner: str | None = None,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
    shipment_id: str | None = None,
) -> Item:
    return compact(
        {
            **keys.key(keys.order_exception(order["id"], exception_id)),
            "id": exception_id,
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "kind": kind,
            "status": OPEN,
            "source": source,
            "owner": owner or DEFAULT_OWNER,
            "deadline": deadline,
            "opened_at": clock.now_iso(),
            "opened_by": by,
            "note": note,
            "detail": detail,
            "shipment_id": shipment_id,
            "queue": QUEUE,
            "queue_key": f"{deadline}#{exception_id}",
        }
    )


def summary(exception: Item) -> dict[str, Any]:
    return {k: exception[k] for k in SUMMARY_FIELDS if k in exception}


def append_patch(exception: Item) -> Patch:
    return Patch(
        sets=("#x_list = list_append(if_not_exists(#x_list, :x_none), :x_new)",),
        names={"#x_list": "exceptions"},  # a reserved word
        values={"x_none": [], "x_new": [summary(exception)]},
    )


def put_new(exception: Item) -> Write:
    """The exception's own item, once (its id is derived from what raised it)."""
    return put(EXCEPTION, exception, condition="attribute_not_exists(sk)")


def opened_entry(exception: Item) -> dict[str, Any]:
    return {
        "at": exception["opened_at"],
        "type": "exception_opened",
        "by": exception["opened_by"],
        "exception_id": exception["id"],
        "kind": exception["kind"],
    }


def open_writes(order: Item, exception: Item, entry: dict[str, Any] | None = None) -> list[Write]:
    """Open ``exception`` on the order as read (same status and version): the item and the order's entry.

    ``entry`` is the timeline entry to append (default: ``exception_opened``).
    """
    return [
        moves.edit(moves.ORDER, order, append_patch(exception), entry or opened_entry(exception)),
        put_new(exception),
    ]


def resolve_patch(index: int, exception_id: str, resolution: dict[str, Any]) -> Patch:
    """Mark entry ``index`` of the order's list resolved, provided it is still that exception and open.

    Entries are only ever appended, so an index read once stays right; the condition proves it.
    Placeholders carry the index, so several entries can be resolved in one update.
    """
    entry, v = f"#x_list[{index}]", f"x{index}"
    return Patch(
        sets=(
            f"{entry}.#x_status = :{v}_resolved",
            f"{entry}.#x_at = :{v}_at",
            f"{entry}.#x_how = :{v}_how",
        ),
        conditions=(f"{entry}.#x_id = :{v}_id", f"{entry}.#x_status = :{v}_open"),
        names={
            "#x_list": "exceptions",
            "#x_status": "status",
            "#x_at": "resolved_at",
            "#x_how": "resolution",
            "#x_id": "id",
        },
        values={
            f"{v}_resolved": RESOLVED,
            f"{v}_at": clock.now_iso(),
            f"{v}_how": resolution["action"],
            f"{v}_id": exception_id,
            f"{v}_open": OPEN,
        },
    )


def resolved_name(exception_id: str) -> str:
    """The write that resolves one exception item (several may be resolved in one unit of work)."""
    return f"{EXCEPTION}:{exception_id}"


def resolve_item(order_id: str, exception_id: str, resolution: dict[str, Any], by: str) -> Write:
    """The exception item leaves the open queue with its resolution; only an open one can be resolved."""
    return update(
        resolved_name(exception_id),
        keys.order_exception(order_id, exception_id),
        "SET #s = :resolved, #at = :at, #by = :by, #how = :how REMOVE #q, #qk",
        condition="#s = :open",
        names={
            "#s": "status",
            "#at": "resolved_at",
            "#by": "resolved_by",
            "#how": "resolution",
            "#q": "queue",
            "#qk": "queue_key",
        },
        named_values={
            "resolved": RESOLVED,
            "at": clock.now_iso(),
            "by": by,
            "how": compact(resolution),
            "open": OPEN,
        },
    )


def get(table: Table, order_id: str, exception_id: str) -> Item | None:
    return table.get(*keys.order_exception(order_id, exception_id))


def list_open(table: Table, limit: int, cursor: str | None) -> tuple[list[Item], str | None]:
    """Open exceptions, nearest deadline first (the ``queues`` index: no scan)."""
    items, last = table.query(
        "#q = :q",
        index="queues",
        names={"#q": "queue"},
        expression_values=values(q=QUEUE),
        limit=limit,
        start_key=cursors.decode(cursor, cursors.QUEUES_KEY, {"queue": QUEUE}),
    )
    return items, cursors.encode(last)
