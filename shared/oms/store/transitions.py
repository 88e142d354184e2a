"""Moving an order: one transaction conditioned on the status and version it was read at."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.domain.order_status import Move, next_status
from oms.store import inventory, keys

# One exception for a lost race, whichever entry point raised it (this module or oms.store.moves).
from oms.store.moves import LostRace as LostRace
from oms.store.patches import EMPTY, Patch
from oms.store.table import Item, Table, TransactionCancelled, serialize, values
from oms.store.unit_of_work import Write


def release_all_ops(order: Item) -> list[Any]:
    """Give back every unit the order still holds (cancellation, expiry)."""
    ops: list[Any] = []
    for line in order["lines"]:
        ops += inventory.release_line_ops(line, order["channel"])
    if order.get("coupon_code"):
        pk, sk = keys.coupon(order["coupon_code"])
        use_pk, use_sk = keys.coupon_use(order["coupon_code"], order["customer_id"])
        give_back = "SET {0} = {0} - :one"
        ops += [
            {
                "Update": {
                    "Key": serialize({"pk": pk, "sk": sk}),
                    "UpdateExpression": give_back.format("used_count"),
                    "ExpressionAttributeValues": values(one=1),
                }
            },
            {
                "Update": {
                    "Key": serialize({"pk": use_pk, "sk": use_sk}),
                    "UpdateExpression": give_back.format("uses"),
                    "ExpressionAttributeValues": values(one=1),
                }
            },
        ]
    return ops


def move(
    table: Table,
    order: Item,
    move: Move,
    *,
    by: str,
    set_fields: dict[str, Any] | None = None,
    remove: tuple[str, ...] = (),
    extra_ops: list[Any] | None = None,
    note: dict[str, Any] | None = None,
    patch: Patch | None = None,
) -> Item:
    """Apply ``move`` to ``order`` as read; raises :class:`LostRace` when it changed meanwhile.

    ``patch`` changes more of the order item in the same write (paths into lists, counters); the returned
    order does not show it: re-read when it matters.
    """
    target = next_status(order["status"], move)
    now = clock.now_iso()
    fields = {"status": target.value, **(set_fields or {})}
    entry = {"at": now, "type": move.value, "by": by, "status": target.value, **(note or {})}
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    assignments = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    expression = f"SET {assignments}, version = version + :one, timeline = list_append(timeline, :entry)"
    patch = patch or EMPTY
    if patch.sets:
        expression += ", " + ", ".join(patch.sets)
    removes = [f"#r{i}" for i in range(len(remove))] + list(patch.removes)
    if removes:
        names.update({f"#r{i}": name for i, name in enumerate(remove)})
        expression += " REMOVE " + ", ".join(removes)
    names["#status"] = "status"
    names.update(patch.names)
    update = {
        "Update": {
            "Key": serialize(dict(zip(("pk", "sk"), keys.order(order["id"]), strict=True))),
            "UpdateExpression": expression,
            "ConditionExpression": " AND ".join(["#status = :was AND version = :version", *patch.conditions]),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values(
                **{f"f{i}": value for i, value in enumerate(fields.values())},
                one=1,
                entry=[entry],
                was=order["status"],
                version=order["version"],
                **patch.values,
            ),
        }
    }
    try:
        # Transitional: owners now hand out named writes; this old entry point still takes raw operations.
        table.transact([update, *(op.operation() if isinstance(op, Write) else op for op in extra_ops or [])])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise LostRace(order["id"]) from cancelled
        raise
    updated = dict(order)
    updated.update(fields)
    updated["version"] = order["version"] + 1
    updated["timeline"] = [*order["timeline"], entry]
    for name in remove:
        updated.pop(name, None)
    return updated
