"""Stock counters and the conditional writes that move them (rules: ``oms.domain.inventory``).

Every counter change is conditioned so that ``available`` (pool and capped channel) never goes below zero:
that condition, evaluated by DynamoDB per item, is what makes overselling impossible under any concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oms import clock
from oms.domain.inventory import ChannelStock, PoolStock, StockLevels, check_allocation
from oms.problems import Conflict, NotFound
from oms.store import keys
from oms.store.table import ConditionFailed, Item, Table, TransactionCancelled, values


def levels_from(sku: str, items: Iterable[Item]) -> StockLevels:
    levels = StockLevels(sku=sku)
    for item in items:
        if item["sk"] == "STOCK":
            levels.pool = PoolStock.model_validate(item)
        elif item["sk"].startswith("STOCK#"):
            levels.channels[item["sk"].removeprefix("STOCK#")] = ChannelStock.model_validate(item)
    return levels


def levels(table: Table, sku: str) -> StockLevels:
    items, _ = table.query(
        "pk = :pk AND begins_with(sk, :stock)",
        expression_values=values(pk=keys.pool(sku)[0], stock="STOCK"),
        consistent=True,
    )
    return levels_from(sku, items)


def levels_for(table: Table, skus: Iterable[str], channel: str) -> dict[str, StockLevels]:
    """Pool and ``channel`` counters of many SKUs in one BatchGetItem."""
    wanted = list(dict.fromkeys(skus))
    found = table.get_many([k for sku in wanted for k in (keys.pool(sku), keys.channel(sku, channel))])
    return {
        sku: levels_from(sku, [i for k, i in found.items() if k[0] == keys.pool(sku)[0]]) for sku in wanted
    }


def _pool_update(sku: str, expression: str, condition: str | None, **named: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Key": {"pk": {"S": keys.pool(sku)[0]}, "sk": {"S": "STOCK"}},
        "UpdateExpression": expression,
        "ExpressionAttributeValues": values(**named),
    }
    if condition:
        body["ConditionExpression"] = condition
    return {"Update": body}


def _channel_update(
    sku: str, channel: str, expression: str, condition: str | None, **named: Any
) -> dict[str, Any]:
    op = _pool_update(sku, expression, condition, **named)
    op["Update"]["Key"]["sk"] = {"S": keys.channel(sku, channel)[1]}
    return op


TAKE = "SET available = available - :q, reserved = reserved + :q"
HAS_ENOUGH = "available >= :q"


def reserve_ops(sku: str, quantity: int, capped_channel: str | None) -> list[dict[str, Any]]:
    """Take ``quantity`` from the pool (and the channel's cap): fails as a whole if either is short."""
    ops = [_pool_update(sku, TAKE, HAS_ENOUGH, q=quantity)]
    if capped_channel:
        ops.append(_channel_update(sku, capped_channel, TAKE, HAS_ENOUGH, q=quantity))
    return ops


GIVE_BACK = "SET available = available + :q, reserved = reserved - :q"


def release_ops(sku: str, quantity: int, capped_channel: str | None) -> list[dict[str, Any]]:
    """Give a reservation back (payment timed out, order cancelled)."""
    ops = [_pool_update(sku, GIVE_BACK, "reserved >= :q", q=quantity)]
    if capped_channel:
        ops.append(_channel_update(sku, capped_channel, GIVE_BACK, "reserved >= :q", q=quantity))
    return ops


def ship_ops(sku: str, quantity: int, capped_channel: str | None) -> list[dict[str, Any]]:
    """Reserved units leave the warehouse: on hand and reserved both drop; available is unchanged."""
    ops = [
        _pool_update(
            sku,
            "SET on_hand = on_hand - :q, reserved = reserved - :q, shipped = if_not_exists(shipped, :zero) + :q",
            "reserved >= :q",
            q=quantity,
            zero=0,
        )
    ]
    if capped_channel:
        ops.append(
            _channel_update(
                sku,
                capped_channel,
                "SET allocation = allocation - :q, reserved = reserved - :q",
                "reserved >= :q",
                q=quantity,
            )
        )
    return ops


def adjust(
    table: Table, sku: str, delta: int, reason: str, channel: str | None, adjustment_id: str
) -> StockLevels:
    """Receive (delta > 0) or write off (delta < 0) stock, never below what is reserved.

    The adjustment is recorded in the same transaction under its id, so a retried request applies once.
    """
    amount = abs(delta)
    if delta > 0:
        pool_expr = (
            "SET on_hand = if_not_exists(on_hand, :zero) + :q, available = if_not_exists(available, :zero) + :q, "
            "reserved = if_not_exists(reserved, :zero), received = if_not_exists(received, :zero) + :q"
        )
        channel_expr = (
            "SET allocation = if_not_exists(allocation, :zero) + :q, available = if_not_exists(available, :zero) + :q, "
            "reserved = if_not_exists(reserved, :zero), safety_stock = if_not_exists(safety_stock, :zero)"
        )
        condition = None
    else:
        pool_expr = (
            "SET on_hand = on_hand - :q, available = available - :q, "
            "written_off = if_not_exists(written_off, :zero) + :q"
        )
        channel_expr = "SET allocation = allocation - :q, available = available - :q"
        condition = HAS_ENOUGH
    product_pk, product_sk = keys.product(sku)
    adj_pk, adj_sk = keys.adjustment(sku, adjustment_id)
    ops: list[dict[str, Any]] = [
        {
            "ConditionCheck": {
                "Key": {"pk": {"S": product_pk}, "sk": {"S": product_sk}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
        {
            "Put": {
                "Item": {
                    "pk": {"S": adj_pk},
                    "sk": {"S": adj_sk},
                    "delta": {"N": str(delta)},
                    "reason": {"S": reason},
                    "channel": {"S": channel or "pool"},
                    "at": {"S": clock.now_iso()},
                },
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        },
        _pool_update(sku, pool_expr, condition, q=amount, zero=0),
    ]
    if channel:
        ops.append(_channel_update(sku, channel, channel_expr, condition, q=amount, zero=0))
    try:
        table.transact(ops)
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise NotFound(f"No product {sku}.", code="unknown_sku") from cancelled
        if cancelled.failed(1):
            return levels(table, sku)  # the same adjustment, delivered again
        raise Conflict(
            "A write-off cannot take stock that is reserved for orders.",
            code="stock_reserved",
            extra={"levels": levels(table, sku).model_dump()},
        ) from cancelled
    return levels(table, sku)


def set_allocation(table: Table, sku: str, channel: str, allocation: int, safety_stock: int) -> StockLevels:
    """One conditional write: the new cap never takes away what the channel has reserved."""
    cap = check_allocation(allocation, safety_stock)
    pk, sk = keys.channel(sku, channel)
    if table.get(*keys.product(sku)) is None:
        raise NotFound(f"No product {sku}.", code="unknown_sku")
    try:
        table.update(
            pk,
            sk,
            "SET allocation = :a, safety_stock = :s, reserved = if_not_exists(reserved, :zero), "
            "available = :cap - if_not_exists(reserved, :zero)",
            condition="attribute_not_exists(reserved) OR reserved <= :cap",
            expression_values=values(a=allocation, s=safety_stock, cap=cap, zero=0),
        )
    except ConditionFailed as failed:
        reserved = (failed.item or {}).get("reserved", 0)
        raise Conflict(
            f"Channel {channel} has {reserved} units reserved; its allocation less safety stock cannot go below that.",
            code="allocation_below_reserved",
            extra={"reserved": reserved},
        ) from failed
    return levels(table, sku)


def reship_ops(sku: str, quantity: int) -> list[dict[str, Any]]:
    """Replacement units leave the pool at once (reserve and ship in one step): never below zero."""
    return [
        _pool_update(
            sku,
            "SET on_hand = on_hand - :q, available = available - :q, shipped = if_not_exists(shipped, :zero) + :q",
            HAS_ENOUGH,
            q=quantity,
            zero=0,
        )
    ]
