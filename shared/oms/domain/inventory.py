"""Stock: what may be promised, per channel, from one shared pool ("库存管理与同步").

The pool holds what is physically sellable: ``on_hand`` and ``reserved`` (``available = on_hand - reserved``).
A channel may be capped by an ``allocation`` (a quota of the pool it may sell, e.g. a marketplace listing),
less a ``safety_stock`` it must not sell; a channel without a cap sells from the pool alone. An order may
take a unit only when both the pool and its channel have it, so no channel can oversell the others.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from oms.problems import FieldError, ValidationProblem


class PoolStock(BaseModel):
    on_hand: int = 0
    reserved: int = 0
    available: int = 0


class ChannelStock(BaseModel):
    allocation: int = 0
    safety_stock: int = 0
    reserved: int = 0
    available: int = 0


class StockLevels(BaseModel):
    sku: str
    pool: PoolStock = Field(default_factory=PoolStock)
    channels: dict[str, ChannelStock] = Field(default_factory=dict)
    # The pool per shard item (index = shard); ``pool`` is their sum. Internal: never shown.
    shards: list[PoolStock] = Field(default_factory=list, exclude=True)

    def available_for(self, channel: str | None) -> int:
        """What the shop may promise on ``channel``: never more than can be sold."""
        pool = max(self.pool.available, 0)
        capped = self.channels.get(channel) if channel else None
        return min(pool, max(capped.available, 0)) if capped else pool


def check_allocation(allocation: int, safety_stock: int) -> int:
    """The units a channel may sell under its cap; safety stock is held back from the allocation."""
    if safety_stock > allocation:
        raise ValidationProblem(
            "Safety stock cannot exceed the allocation.",
            code="safety_stock_exceeds_allocation",
            errors=[FieldError("safety_stock", f"must be at most the allocation ({allocation})")],
        )
    return allocation - safety_stock


# --------------------------------------------------------------------------------- sharded stock counters
#
# A hot SKU's pool may be spread over N shard items (``STOCK_SHARDS``), each with its own on_hand, reserved
# and available, so its writes spread over N partition keys. Shard 0 is the pool item of the unsharded
# layout, so turning sharding on moves nothing. An order line records which shards hold its units
# (``Takes``: shard -> units); release, shipment and cancellation go back to exactly those shards. The
# pool the shop promises is always the sum of the shards: a line is refused only when that sum is short.

Takes = dict[int, int]


def pool_total(shards: list[PoolStock]) -> PoolStock:
    """What the SKU holds in all: the pool every view and every refusal speaks of."""
    return PoolStock(
        on_hand=sum(s.on_hand for s in shards),
        reserved=sum(s.reserved for s in shards),
        available=sum(s.available for s in shards),
    )


def first_shard(shards: int, seed: int) -> int:
    """Where a line goes before anything is read: a shard by the order's hash (a retry chooses alike)."""
    return seed % shards if shards > 1 else 0


def choose_shards(available: list[int], quantity: int, seed: int) -> Takes | None:
    """Shards for a line of ``quantity`` units, from what each shard has available.

    One shard with room for the whole line when there is one (picked by ``seed`` among them, so buyers
    falling back at once spread out); otherwise the line is split, fullest shards first. None only when
    the shards together are short: stock that exists is never refused.
    """
    room = [max(a, 0) for a in available]
    whole = [i for i, a in enumerate(room) if a >= quantity]
    if whole:
        return {whole[seed % len(whole)]: quantity}
    if sum(room) < quantity:
        return None
    takes: Takes = {}
    left = quantity
    for index in sorted(range(len(room)), key=lambda i: (-room[i], i)):
        if left == 0:
            break
        part = min(room[index], left)
        if part:
            takes[index] = part
            left -= part
    return takes


def spread_receipt(available: list[int], units: int) -> Takes:
    """Received units fill the emptiest shards first (water-filling), so each shard can take whole lines."""
    level = list(available)
    takes: Takes = {}
    left = units
    while left:
        low = min(level)
        lowest = [i for i, a in enumerate(level) if a == low]
        above = [a for a in level if a > low]
        each = left // len(lowest) if not above else min(min(above) - low, left // len(lowest))
        if each == 0:  # fewer units than tied shards: one each, lowest index first
            lowest, each = lowest[:left], 1
        for index in lowest:
            level[index] += each
            takes[index] = takes.get(index, 0) + each
        left -= each * len(lowest)
    return takes


def spread_write_off(available: list[int], units: int) -> Takes | None:
    """Written-off units come from the fullest shards; never a reserved unit (None: not enough free)."""
    room = [max(a, 0) for a in available]
    if sum(room) < units:
        return None
    return spread_receipt([-a for a in room], units)


def line_takes(recorded: dict[str, int] | None, quantity: int) -> Takes:
    """The shards a stored order line holds (a line without a record is on shard 0, the pool item)."""
    if not recorded:
        return {0: quantity}
    return {int(shard): int(units) for shard, units in recorded.items()}


def record_takes(takes: Takes, quantity: int) -> dict[str, int] | None:
    """What an order line stores of its shards: nothing for the unsharded layout, keys as strings."""
    if takes == {0: quantity}:
        return None
    return {str(shard): units for shard, units in sorted(takes.items()) if units}


def _consume(takes: Takes, units: int) -> tuple[Takes, Takes]:
    """Split ``takes`` into the first ``units`` (in shard order) and the rest."""
    first: Takes = {}
    rest: Takes = {}
    left = units
    for shard, held in sorted(takes.items()):
        part = min(held, left)
        left -= part
        if part:
            first[shard] = part
        if held - part:
            rest[shard] = held - part
    return first, rest


def split_takes(takes: Takes, keep: int) -> tuple[Takes, Takes]:
    """A line made smaller: the shards of the ``keep`` units it keeps, and of those it gives back."""
    return _consume(takes, keep)


def merge_takes(first: Takes, second: Takes) -> Takes:
    """A line made larger: the shards it held and those of the units added to it."""
    merged = dict(first)
    for shard, units in second.items():
        merged[shard] = merged.get(shard, 0) + units
    return {shard: units for shard, units in merged.items() if units}


def still_held(takes: Takes, shipped: int) -> Takes:
    """Units a line still holds per shard once ``shipped`` left: shipments leave lowest shards first."""
    return _consume(takes, shipped)[1]


def shipping_from(takes: Takes, shipped_before: int, shipping: int) -> Takes:
    """The shards ``shipping`` more units of a line leave, after ``shipped_before`` left earlier."""
    return _consume(still_held(takes, shipped_before), shipping)[0]
