"""The buyer's feedback on an order: one item beside the order, written with a touch of the order.

The order's own write (an edit conditioned on it being completed, as read) goes in the same transaction, so
feedback cannot land on an order that moved meanwhile, and an order already archived is archived again with
the feedback (its archive timer re-armed: readers of the archive keep the newest ``archived_version``).
"""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.lifecycle.completion import ARCHIVE
from oms.store import keys, moves
from oms.store.patches import Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Write, put

FEEDBACK = "feedback"


def get(table: Table, order_id: str) -> Item | None:
    return table.get(*keys.feedback(order_id))


def new_feedback(order: Item, fields: dict[str, Any], given: Item | None) -> Item:
    now = clock.now_iso()
    return {
        **keys.key(keys.feedback(order["id"])),
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        **fields,
        "given_at": given["given_at"] if given else now,
        "updated_at": now,
        "edits": int(given.get("edits", 0)) + 1 if given else 0,
        "version": int(given["version"]) + 1 if given else 1,
    }


def writes(order: Item, feedback: Item, given: Item | None) -> list[Write]:
    """The feedback (new, or replacing the version read) and the order's touch."""
    if given is None:
        item = put(FEEDBACK, feedback, condition="attribute_not_exists(pk)")
    else:
        item = put(
            FEEDBACK, feedback, condition="version = :version", named_values={"version": given["version"]}
        )
    rearm = Patch(
        sets=("feedback_rating = :fb_rating",)
        + (("timer_kind = :fb_timer", "due_at = :fb_due") if order.get("archived_at") else ()),
        removes=("archived_at",) if order.get("archived_at") else (),
        values={"fb_rating": feedback["rating"]}
        | ({"fb_timer": ARCHIVE, "fb_due": clock.now_iso()} if order.get("archived_at") else {}),
    )
    return [item, moves.edit(moves.ORDER, order, rearm)]
