"""Return requests: one item each, written with the order's returned counts in one transaction."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.domain.returns import next_return_status
from oms.problems import NotFound
from oms.store import cursors, keys
from oms.store.table import Item, Table, TransactionCancelled, serialize, values
from oms.store.transitions import LostRace


def return_key(return_id: str) -> tuple[str, str]:
    return f"RETURN#{return_id}", "RETURN"


def customer_returns(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}#RETURNS"


def create(table: Table, item: Item, order: Item, lines: list[dict[str, Any]]) -> bool:
    """Put the return and count its units on the order's lines; False if this return exists already."""
    entry = {
        "at": clock.now_iso(),
        "type": "return_requested",
        "by": item["customer_id"],
        "return_id": item["id"],
    }
    try:
        table.transact(
            [
                {"Put": {"Item": serialize(item), "ConditionExpression": "attribute_not_exists(pk)"}},
                {
                    "Update": {
                        "Key": serialize(dict(zip(("pk", "sk"), keys.order(order["id"]), strict=True))),
                        "UpdateExpression": "SET #lines = :lines, open_returns = if_not_exists(open_returns, :zero) + :one, "
                        "version = version + :one, timeline = list_append(timeline, :entry)",
                        "ConditionExpression": "version = :version",
                        "ExpressionAttributeNames": {"#lines": "lines"},
                        "ExpressionAttributeValues": values(
                            lines=lines, zero=0, one=1, entry=[entry], version=order["version"]
                        ),
                    }
                },
            ]
        )
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise LostRace(order["id"]) from cancelled
    return True


def order_lines_op(order: Item, field: str, units: dict[str, int], open_returns: int) -> dict[str, Any]:
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
    update: dict[str, Any] = {
        "Key": serialize(dict(zip(("pk", "sk"), keys.order(order["id"]), strict=True))),
        "UpdateExpression": "SET " + ", ".join(sets),
        "ExpressionAttributeValues": values(**named),
    }
    if len(sets) > 2:  # DynamoDB refuses names and values no expression uses
        update["ExpressionAttributeNames"] = {"#ol_lines": "lines", "#ol_field": field}
    return {"Update": update}


def get(table: Table, return_id: str) -> Item | None:
    return table.get(*return_key(return_id))


def get_for(table: Table, return_id: str, customer_id: str | None) -> Item:
    item = get(table, return_id)
    if item is None or (customer_id is not None and item["customer_id"] != customer_id):
        raise NotFound(f"No return {return_id}.", code="return_not_found")
    return item


def move_op(
    item: Item,
    move_name: str,
    *,
    by: str,
    set_fields: dict[str, Any] | None = None,
    remove: tuple[str, ...] = (),
    note: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], Item]:
    """The conditioned update that moves the return as read, and the return as it will be."""
    target = next_return_status(item["status"], move_name)
    now = clock.now_iso()
    fields = {"status": target.value, **(set_fields or {})}
    entry = {"at": now, "type": move_name, "by": by, "status": target.value, **(note or {})}
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    expression = "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    expression += ", version = version + :one, timeline = list_append(timeline, :entry)"
    if remove:
        names.update({f"#r{i}": name for i, name in enumerate(remove)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
    names["#status"] = "status"
    update = {
        "Update": {
            "Key": serialize(dict(zip(("pk", "sk"), return_key(item["id"]), strict=True))),
            "UpdateExpression": expression,
            "ConditionExpression": "#status = :was AND version = :version",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values(
                **{f"f{i}": v for i, v in enumerate(fields.values())},
                one=1,
                entry=[entry],
                was=item["status"],
                version=item["version"],
            ),
        }
    }
    moved = {**item, **fields, "version": item["version"] + 1, "timeline": [*item["timeline"], entry]}
    for name in remove:
        moved.pop(name, None)
    return update, moved


def move(
    table: Table,
    item: Item,
    move_name: str,
    *,
    by: str,
    set_fields: dict[str, Any] | None = None,
    remove: tuple[str, ...] = (),
    extra_ops: list[dict[str, Any]] | None = None,
    note: dict[str, Any] | None = None,
) -> Item:
    """Move the return as read (status and version conditioned); LostRace when it changed meanwhile."""
    update, moved = move_op(item, move_name, by=by, set_fields=set_fields, remove=remove, note=note)
    try:
        table.transact([update, *(extra_ops or [])])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise LostRace(item["id"]) from cancelled
        raise
    return moved


def add_message(table: Table, return_id: str, message: dict[str, Any]) -> Item:
    return table.update(
        *return_key(return_id),
        "SET messages = list_append(if_not_exists(messages, :none), :m)",
        condition="attribute_exists(pk)",
        expression_values=values(m=[message], none=[]),
    )


def list_for_customer(
    table: Table, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[Item], str | None]:
    start = cursors.decode(cursor, cursors.BY_CUSTOMER_KEY, {"customer_key": customer_returns(customer_id)})
    items, last = table.query(
        "customer_key = :ck",
        index="by_customer",
        expression_values=values(ck=customer_returns(customer_id)),
        limit=limit,
        start_key=start,
        forward=False,
    )
    return items, cursors.encode(last)
