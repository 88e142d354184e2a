"""Stock counters and the conditional writes that move them (rules: ``oms.domain.inventory``).

Every counter change is conditioned so that ``available`` (pool and capped channel) never goes below zero:
that condition, evaluated by DynamoDB per item, is what makes overselling impossible under any concurrency.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from oms import clock
from oms.config import require, settings
from oms.domain.inventory import (
    ChannelStock,
    PoolStock,
    StockLevels,
    Takes,
    check_allocation,
    choose_shards,
    first_shard,
    line_takes,
    pool_total,
    record_takes,
    shipping_from,
    spread_receipt,
    spread_write_off,
    still_held,
)
from oms.problems import Conflict, NotFound
from oms.store import keys
from oms.store.table import ConditionFailed, Item, StoreBusy, Table, values
from oms.store.unit_of_work import Cancelled, UnitOfWork, Write, check, commit, put, update

require("STOCK_SHARDS", by=__name__)

BATCH_GET_LIMIT = 100
MAX_ATTEMPTS = 4  # a line's shard choice, re-read and made again at most this often before "busy"


def shard_count() -> int:
    return settings().stock_shards


def shard_key(sku: str, index: int) -> tuple[str, str]:
    """Shard 0 is the pool item of the unsharded layout; the others have partition keys of their own,
    so their writes are spread over partitions instead of sharing one partition's 1,000 WCU/s."""
    pk, sk = keys.pool(sku)
    return (pk, sk) if index == 0 else (f"{pk}#SHARD#{index}", sk)


def _shard_index(sku: str, item: Item) -> int | None:
    pool_pk = keys.pool(sku)[0]
    if item["sk"] != "STOCK":
        return None
    if item["pk"] == pool_pk:
        return 0
    suffix = item["pk"].removeprefix(f"{pool_pk}#SHARD#")
    return int(suffix) if suffix != item["pk"] and suffix.isdigit() else None


def levels_from(sku: str, items: Iterable[Item], asked: int = 1) -> StockLevels:
    """Levels from the stock items of ``sku`` that were read (``asked`` shards of them at least)."""
    levels = StockLevels(sku=sku)
    shards: dict[int, PoolStock] = {}
    known = asked
    for item in items:
        index = _shard_index(sku, item)
        if index is not None:
            shards[index] = PoolStock.model_validate(item)
            known = max(known, index + 1, int(item.get("shards", 1)) if index == 0 else 1)
        elif (name := keys.channel_of(item)) is not None:
            levels.channels[name] = ChannelStock.model_validate(item)
    levels.shards = [shards.get(i, PoolStock()) for i in range(known)]
    levels.pool = pool_total(levels.shards)
    return levels


def stock_keys(sku: str, channel: str | None) -> list[tuple[str, str]]:
    """What to read for a SKU's levels: every shard the setting names, and the channel's cap."""
    wanted = [shard_key(sku, i) for i in range(shard_count())]
    return wanted + ([keys.channel(sku, channel)] if channel else [])


def get_all(table: Table, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Item]:
    """BatchGetItem in batches of 100 keys (many lines times many shards exceed one batch)."""
    unique = list(dict.fromkeys(wanted))
    found: dict[tuple[str, str], Item] = {}
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        found.update(table.get_many(unique[start : start + BATCH_GET_LIMIT]))
    return found


def levels_in(
    table: Table, skus: Iterable[str], found: dict[tuple[str, str], Item]
) -> dict[str, StockLevels]:
    """Levels from a read of :func:`stock_keys`. Shards beyond the setting (it was lowered while they held
    stock) are read as well, so no unit is ever left out of the sum."""
    asked = shard_count()

    def mine(sku: str, items: dict[tuple[str, str], Item]) -> list[Item]:
        pool_pk = keys.pool(sku)[0]
        return [
            item
            for (pk, sk), item in items.items()
            if (pk == pool_pk or pk.startswith(f"{pool_pk}#SHARD#")) and sk.startswith("STOCK")
        ]

    result = {sku: levels_from(sku, mine(sku, found), asked) for sku in dict.fromkeys(skus)}
    beyond = [shard_key(sku, i) for sku, known in result.items() for i in range(asked, len(known.shards))]
    if beyond:
        found = {**found, **get_all(table, beyond)}
        result = {sku: levels_from(sku, mine(sku, found), asked) for sku in result}
    return result


def levels(table: Table, sku: str) -> StockLevels:
    items, _ = table.query(
        "pk = :pk AND begins_with(sk, :stock)",
        expression_values=values(pk=keys.pool(sku)[0], stock="STOCK"),
        consistent=True,
    )
    known = levels_from(sku, items, shard_count())
    if len(known.shards) > 1:  # the other shards live under partition keys of their own
        found = get_all(table, [shard_key(sku, i) for i in range(1, len(known.shards))])
        known = levels_from(sku, [*items, *found.values()], len(known.shards))
    return known


def levels_for(table: Table, skus: Iterable[str], channel: str | None) -> dict[str, StockLevels]:
    """Pool (every shard) and ``channel`` counters of many SKUs in one BatchGetItem when it fits."""
    wanted = list(dict.fromkeys(skus))
    return levels_in(table, wanted, get_all(table, [k for sku in wanted for k in stock_keys(sku, channel)]))


def stock_write_name(sku: str, shard: int = 0, channel: str | None = None) -> str:
    """The name of a stock counter's write in a unit of work: the counter it changes."""
    return f"stock:{sku}@{channel}" if channel else f"stock:{sku}#{shard}"


def _shard_update(sku: str, shard: int, expression: str, condition: str | None, **named: Any) -> Write:
    return update(
        stock_write_name(sku, shard),
        shard_key(sku, shard),
        expression,
        condition=condition,
        named_values=named,
    )


def _channel_update(sku: str, channel: str, expression: str, condition: str | None, **named: Any) -> Write:
    return update(
        stock_write_name(sku, channel=channel),
        keys.channel(sku, channel),
        expression,
        condition=condition,
        named_values=named,
    )


def _on_shards(
    sku: str, takes: Takes | None, quantity: int, expression: str, condition: str | None, **named: Any
) -> list[Write]:
    """One conditional update per shard the units are on (the unsharded layout: the pool item alone)."""
    return [
        _shard_update(sku, shard, expression, condition, q=units, **named)
        for shard, units in sorted((takes or {0: quantity}).items())
        if units
    ]


TAKE = "SET available = available - :q, reserved = reserved + :q"
HAS_ENOUGH = "available >= :q"
GIVE_BACK = "SET available = available + :q, reserved = reserved - :q"
HOLDS = "reserved >= :q"


def reserve_ops(
    sku: str, quantity: int, capped_channel: str | None, takes: Takes | None = None
) -> list[Write]:
    """Take ``quantity`` from the pool's shards ``takes`` (and the channel's cap): fails as a whole if any
    of them is short."""
    ops = _on_shards(sku, takes, quantity, TAKE, HAS_ENOUGH)
    if capped_channel:
        ops.append(_channel_update(sku, capped_channel, TAKE, HAS_ENOUGH, q=quantity))
    return ops


def release_ops(
    sku: str, quantity: int, capped_channel: str | None, takes: Takes | None = None
) -> list[Write]:
    """Give a reservation back (payment timed out, order cancelled) to the shards that hold it."""
    ops = _on_shards(sku, takes, quantity, GIVE_BACK, HOLDS)
    if capped_channel:
        ops.append(_channel_update(sku, capped_channel, GIVE_BACK, HOLDS, q=quantity))
    return ops


def ship_ops(sku: str, quantity: int, capped_channel: str | None, takes: Takes | None = None) -> list[Write]:
    """Reserved units leave the warehouse: on hand and reserved both drop; available is unchanged."""
    ops = _on_shards(
        sku,
        takes,
        quantity,
        "SET on_hand = on_hand - :q, reserved = reserved - :q, shipped = if_not_exists(shipped, :zero) + :q",
        HOLDS,
        zero=0,
    )
    if capped_channel:
        ops.append(
            _channel_update(
                sku,
                capped_channel,
                "SET allocation = allocation - :q, reserved = reserved - :q",
                HOLDS,
                q=quantity,
            )
        )
    return ops


def reship_ops(sku: str, quantity: int, current: StockLevels | None = None) -> list[Write]:
    """Replacement units leave the pool at once (reserve and ship in one step): never below zero.

    With ``current`` levels the units come from shards that have them (split if need be)."""
    takes = None
    if current is not None and len(current.shards) > 1:
        takes = choose_shards([s.available for s in current.shards], quantity, 0)
    return _on_shards(
        sku,
        takes,
        quantity,
        "SET on_hand = on_hand - :q, available = available - :q, shipped = if_not_exists(shipped, :zero) + :q",
        HAS_ENOUGH,
        zero=0,
    )


# ------------------------------------------------------------------------------------ an order's lines


def _capped(line: Item, channel: str) -> str | None:
    return channel if line.get("capped") else None


def release_line_ops(line: Item, channel: str) -> list[Write]:
    """Give back what a stored order line still holds, to the shards it took it from."""
    held = line["quantity"] - line.get("shipped", 0)
    if held <= 0:
        return []
    takes = still_held(line_takes(line.get("shards"), line["quantity"]), line.get("shipped", 0))
    return release_ops(line["sku"], held, _capped(line, channel), takes)


def ship_line_ops(line: Item, units: int, channel: str) -> list[Write]:
    """``units`` more of a stored order line leave the warehouse, from the shards that hold them."""
    takes = shipping_from(line_takes(line.get("shards"), line["quantity"]), line.get("shipped", 0), units)
    return ship_ops(line["sku"], units, _capped(line, channel), takes)


def _seed(*parts: object) -> int:
    return zlib.crc32(":".join(str(p) for p in parts).encode())


class Reservation:
    """The stock part of a placing transaction, with its shard choice per line.

    The first choice reads nothing (a shard by the order's hash). When a shard turns out short, the
    caller asks :meth:`choose_again`: the SKUs are re-read and either truly short (refuse them, with the
    exact figures) or chosen again among the shards that have the units, and the transaction retried.
    """

    def __init__(self, seed: str, lines: list[tuple[str, int]], capped: dict[str, str | None]) -> None:
        self.seed = seed
        self.quantity = dict(lines)
        self.capped = capped
        self.attempt = 0
        count = shard_count()
        self.takes: dict[str, Takes] = {
            sku: {first_shard(count, _seed(seed, sku)): qty} for sku, qty in lines
        }
        self._owner: dict[str, str] = {}

    def writes(self) -> list[Write]:
        """The conditional updates of this attempt's shard choice."""
        self._owner = {}
        writes: list[Write] = []
        for sku, quantity in self.quantity.items():
            for write in reserve_ops(sku, quantity, self.capped.get(sku), self.takes[sku]):
                self._owner[write.name] = sku
                writes.append(write)
        return writes

    def recorded(self, sku: str) -> dict[str, int] | None:
        """What the order line stores of its shards (nothing on the unsharded layout)."""
        return record_takes(self.takes[sku], self.quantity[sku])

    def short_in(self, cancelled: Cancelled) -> list[str]:
        """The SKUs whose counters refused the units."""
        return sorted({sku for name, sku in self._owner.items() if cancelled.failed_on(name)})

    def choose_again(
        self, table: Table, skus: list[str], channel: str | None
    ) -> tuple[list[str], dict[str, StockLevels]]:
        """Re-read ``skus``; returns (the truly short ones, the levels read). None short: chosen anew."""
        current = levels_for(table, skus, channel)
        short = [sku for sku in skus if current[sku].available_for(channel) < self.quantity[sku]]
        if short:
            return short, current
        self.attempt += 1
        for sku in skus:
            available = [s.available for s in current[sku].shards]
            chosen = choose_shards(available, self.quantity[sku], _seed(self.seed, sku, self.attempt))
            assert chosen is not None  # the shards sum to the pool, which has the units
            self.takes[sku] = chosen
        return [], current


def reserve(table: Table, sku: str, quantity: int, capped_channel: str | None, seed: str) -> Takes | None:
    """Reserve one line on its own (no order written with it): the shards it took, or None when short."""
    reservation = Reservation(seed, [(sku, quantity)], {sku: capped_channel})
    for _ in range(MAX_ATTEMPTS):
        try:
            commit(table, *reservation.writes())
        except Cancelled as cancelled:
            short, _ = reservation.choose_again(table, reservation.short_in(cancelled), capped_channel)
            if short:
                return None
            continue
        return reservation.takes[sku]
    raise StoreBusy(f"{sku}: stock kept moving between shards")


# ------------------------------------------------------------------------------ receipts and write-offs

RECEIVE = (
    "SET on_hand = if_not_exists(on_hand, :zero) + :q, available = if_not_exists(available, :zero) + :q, "
    "reserved = if_not_exists(reserved, :zero), received = if_not_exists(received, :zero) + :q"
)
WRITE_OFF = "SET on_hand = on_hand - :q, available = available - :q, written_off = if_not_exists(written_off, :zero) + :q"
KNOWS_SHARDS = "(attribute_not_exists(shards) OR shards <= :n)"


def _adjust_shard_ops(sku: str, delta: int, takes: Takes, count: int) -> list[Write]:
    """Counter updates of an adjustment; when sharded, the pool item also records how many shards may hold
    stock, so lowering the setting later never hides a unit."""
    receive = delta > 0
    ops = []
    for shard in range(count):
        units = takes.get(shard, 0)
        if not units and not (shard == 0 and count > 1):
            continue
        expression, condition = (RECEIVE, None) if receive or not units else (WRITE_OFF, HAS_ENOUGH)
        named: dict[str, Any] = {"q": units, "zero": 0}
        if shard == 0 and count > 1:
            expression += ", shards = :n"
            condition = f"{condition} AND {KNOWS_SHARDS}" if condition else KNOWS_SHARDS
            named["n"] = count
        ops.append(_shard_update(sku, shard, expression, condition, **named))
    return ops


def adjust(
    table: Table, sku: str, delta: int, reason: str, channel: str | None, adjustment_id: str
) -> StockLevels:
    """Receive (delta > 0) or write off (delta < 0) stock, never below what is reserved (on any shard).

    The adjustment is recorded in the same transaction under its id, so a retried request applies once.
    Received units go to the emptiest shards, written-off ones come from the fullest.
    """
    amount = abs(delta)
    product = check("product", keys.product(sku), "attribute_exists(pk)")
    record = put(
        "adjustment",
        {
            **keys.key(keys.adjustment(sku, adjustment_id)),
            "delta": delta,
            "reason": reason,
            "channel": channel or "pool",
            "at": clock.now_iso(),
        },
        condition="attribute_not_exists(sk)",
    )
    # Unsharded, the pool item takes it without a read, as it always did; sharded, the shards are read first.
    current = levels(table, sku) if shard_count() > 1 else None
    for _ in range(MAX_ATTEMPTS):
        count = len(current.shards) if current else 1
        available = [s.available for s in current.shards] if current else [0]
        # Receipts go to the shards the setting names; a write-off may take from any shard that has stock.
        takes = (
            spread_receipt(available[: shard_count()], amount)
            if delta > 0
            else spread_write_off(available, amount)
        )
        if takes is None and current is not None:
            raise _reserved_conflict(current)
        work = UnitOfWork(table).add(product, record)
        work.extend(_adjust_shard_ops(sku, delta, takes or {0: amount}, count))
        if channel:
            work.add(_adjust_channel(sku, channel, delta))
        try:
            work.commit()
        except Cancelled as cancelled:
            if cancelled.failed_on(product.name):
                raise NotFound(f"No product {sku}.", code="unknown_sku") from cancelled
            if cancelled.failed_on(record.name):
                return levels(table, sku)  # the same adjustment, delivered again
            if channel and cancelled.failed_on(stock_write_name(sku, channel=channel)):
                raise _reserved_conflict(levels(table, sku)) from cancelled
            current = levels(table, sku)  # a shard moved meanwhile: spread again over what is there now
            continue
        return levels(table, sku)
    raise StoreBusy(f"{sku}: stock kept moving while adjusting")


def _adjust_channel(sku: str, channel: str, delta: int) -> Write:
    """A channel's cap follows its receipts and write-offs (never below what it has reserved)."""
    if delta > 0:
        receive = (
            "SET allocation = if_not_exists(allocation, :zero) + :q, available = if_not_exists(available, :zero) + :q, "
            "reserved = if_not_exists(reserved, :zero), safety_stock = if_not_exists(safety_stock, :zero)"
        )
        return _channel_update(sku, channel, receive, None, q=delta, zero=0)
    write_off = "SET allocation = allocation - :q, available = available - :q"
    return _channel_update(sku, channel, write_off, HAS_ENOUGH, q=-delta)


def _reserved_conflict(current: StockLevels) -> Conflict:
    return Conflict(
        "A write-off cannot take stock that is reserved for orders.",
        code="stock_reserved",
        extra={"levels": current.model_dump()},
    )


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
