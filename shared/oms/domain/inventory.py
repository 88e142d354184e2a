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
