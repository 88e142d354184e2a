"""StockLevels.available_for: one shared pool, optional per-channel caps (库存管理与同步)."""

from __future__ import annotations

import pytest
from oms.domain.inventory import ChannelStock, PoolStock, StockLevels, check_allocation
from oms.problems import ValidationProblem


def levels(pool_available: int, **channels: int) -> StockLevels:
    return StockLevels(
        sku="TEA-250",
        pool=PoolStock(on_hand=max(pool_available, 0) + 2, reserved=2, available=pool_available),
        channels={name: ChannelStock(allocation=avail, available=avail) for name, avail in channels.items()},
    )


def test_without_channel_caps_every_channel_sells_the_pool() -> None:
    stock = levels(98)
    assert [stock.available_for(c) for c in (None, "web", "app", "marketplace")] == [98, 98, 98, 98]


def test_a_capped_channel_sells_at_most_its_cap() -> None:
    stock = levels(98, marketplace=10)
    assert stock.available_for("marketplace") == 10
    # The other channels still sell from the whole pool.
    assert stock.available_for("web") == 98
    assert stock.available_for(None) == 98


def test_a_cap_above_the_pool_is_limited_by_the_pool() -> None:
    assert levels(5, marketplace=10).available_for("marketplace") == 5


def test_a_cap_equal_to_the_pool() -> None:
    assert levels(7, marketplace=7).available_for("marketplace") == 7


def test_an_exhausted_cap_sells_nothing_while_the_pool_has_stock() -> None:
    assert levels(50, marketplace=0).available_for("marketplace") == 0


@pytest.mark.parametrize(
    ("stock", "channel"),
    [
        (levels(-3), None),
        (levels(-3), "web"),
        (levels(-3, marketplace=4), "marketplace"),
        (levels(10, marketplace=-2), "marketplace"),
        (levels(-1, marketplace=-1), "marketplace"),
    ],
)
def test_never_below_zero(stock: StockLevels, channel: str | None) -> None:
    assert stock.available_for(channel) == 0


def test_safety_stock_is_already_out_of_the_channel_available() -> None:
    """The store keeps ``available = allocation - safety_stock - reserved`` on the channel record."""
    stock = StockLevels(
        sku="TEA-250",
        pool=PoolStock(on_hand=100, reserved=2, available=98),
        channels={"marketplace": ChannelStock(allocation=20, safety_stock=5, reserved=2, available=13)},
    )
    assert stock.available_for("marketplace") == 13


def test_a_sku_never_stocked_has_nothing() -> None:
    assert StockLevels(sku="NEW-1").available_for("web") == 0


@pytest.mark.parametrize(
    ("allocation", "safety_stock", "cap"), [(20, 5, 15), (20, 20, 0), (0, 0, 0), (7, 0, 7)]
)
def test_a_channel_cap_is_its_allocation_less_safety_stock(
    allocation: int, safety_stock: int, cap: int
) -> None:
    assert check_allocation(allocation, safety_stock) == cap


def test_safety_stock_above_the_allocation_is_refused() -> None:
    with pytest.raises(ValidationProblem) as caught:
        check_allocation(5, 6)
    assert (caught.value.code, caught.value.status) == ("safety_stock_exceeds_allocation", 422)
    assert [e.to_dict() for e in caught.value.errors] == [
        {"field": "safety_stock", "message": "must be at most the allocation (5)"}
    ]
