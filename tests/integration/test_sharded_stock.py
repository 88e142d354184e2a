"""Sharded stock counters (``STOCK_SHARDS``) on both engines: the shop promises the sum of the shards, an
order falls back to shards that have the units, lines go back to the shards they came from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from oms import ids
from oms.domain.inventory import line_takes
from oms.lifecycle import cancellation, payments, shipping
from oms.placing import reserve, validate
from oms.problems import Conflict
from oms.store import inventory, keys, orders
from oms.store.table import Table
from oms.store.unit_of_work import commit

from tests.integration.helpers import order_request, step_input, stock_shards, stocked_product
from tests.integration.test_lifecycle import payment


@pytest.fixture
def four(cloud: object) -> Iterator[None]:
    with stock_shards(4):
        yield


def place(table: Table, sku: str, quantity: int, order_id: str | None = None) -> dict[str, Any]:
    step = step_input(order_request((sku, quantity, 3900)))
    if order_id:
        step["order_id"] = order_id
    checked = validate(step, table)
    return reserve(checked, table) if checked["ok"] else checked


def shard_view(table: Table, sku: str) -> list[tuple[int, int, int]]:
    """(on_hand, reserved, available) per shard."""
    return [(s.on_hand, s.reserved, s.available) for s in inventory.levels(table, sku).shards]


def stored_line(table: Table, order_id: str) -> dict[str, Any]:
    order = orders.get(table, order_id)
    assert order is not None
    return dict(order["lines"][0])


def test_one_shard_keeps_todays_items(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5)
    result = place(table, tea, 2)
    assert result["ok"]
    assert "shards" not in stored_line(table, result["order"]["id"])
    pool = table.get(*keys.pool(tea))
    assert pool is not None and "shards" not in pool
    assert table.get(*inventory.shard_key(tea, 1)) is None


def test_receipts_fill_the_emptiest_shards_and_views_show_the_sum(four: None) -> None:
    table = Table()
    tea = stocked_product(table, 10)
    assert shard_view(table, tea) == [(3, 0, 3), (3, 0, 3), (2, 0, 2), (2, 0, 2)]
    inventory.adjust(table, tea, 3, "received", None, ids.new_id("adj"))
    assert [s.available for s in inventory.levels(table, tea).shards] == [4, 3, 3, 3]
    levels = inventory.levels(table, tea)
    assert levels.pool.model_dump() == {"on_hand": 13, "reserved": 0, "available": 13}
    assert "shards" not in levels.model_dump()  # what the admin API and problems show is the sum only
    pool = table.get(*keys.pool(tea))
    assert pool is not None and pool["shards"] == 4  # the pool item knows how many shards may hold stock


def test_an_order_is_served_from_other_shards_when_its_own_is_empty(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 6)  # unsharded: all six units on shard 0
    with stock_shards(4):
        # Order ids whose first choice (by hash, before any read) is an empty shard.
        elsewhere = []
        while len(elsewhere) < 6:
            order_id = ids.new_id("ord")
            first = inventory.Reservation(order_id, [(tea, 1)], {tea: None}).takes[tea]
            if 0 not in first:
                elsewhere.append(order_id)
        for order_id in elsewhere:
            result = place(table, tea, 1, order_id)
            assert result["ok"], result  # never "out of stock" while stock exists
            assert line_takes(stored_line(table, order_id).get("shards"), 1) == {0: 1}
        refused = place(table, tea, 1)
        assert not refused["ok"]
        assert refused["problem"]["errors"][0]["available"] == 0
        assert shard_view(table, tea)[0] == (6, 6, 0)


def test_a_line_larger_than_any_shard_is_split_and_cancelling_gives_each_shard_its_units(
    four: None,
) -> None:
    table = Table()
    tea = stocked_product(table, 8)  # two per shard
    result = place(table, tea, 7)
    assert result["ok"], result
    takes = line_takes(stored_line(table, result["order"]["id"]).get("shards"), 7)
    assert sum(takes.values()) == 7 and len(takes) == 4
    assert [r for _, r, _ in shard_view(table, tea)] == [takes.get(i, 0) for i in range(4)]
    too_many = place(table, tea, 2)
    assert not too_many["ok"] and too_many["problem"]["errors"][0]["available"] == 1

    order = orders.get(table, result["order"]["id"])
    assert order is not None
    cancellation.cancel(table, order, by="cus_1", reason="customer_request")
    assert shard_view(table, tea) == [(2, 0, 2)] * 4


def test_shipping_in_parts_takes_from_the_shards_the_line_holds(four: None) -> None:
    table = Table()
    tea = stocked_product(table, 8)
    placed = place(table, tea, 7)
    assert placed["ok"]
    order = orders.get(table, placed["order"]["id"])
    assert order is not None
    payments.handle(table, payment(order))
    takes = line_takes(order["lines"][0].get("shards"), 7)

    def ship(items: list[dict[str, Any]] | None) -> None:
        current = orders.get(table, placed["order"]["id"])
        number = f"SF{ids.new_id('t')[2:12]}"
        shipping.ship(
            table,
            current,
            shipping.ShipmentRequest(carrier="sf", tracking_number=number, items=items),
            "adm_1",
        )

    ship([{"sku": tea, "quantity": 3}])
    after_part = shard_view(table, tea)
    assert sum(r for _, r, _ in after_part) == 4
    assert sum(h for h, _, _ in after_part) == 5
    ship(None)
    assert shard_view(table, tea) == [(2 - takes.get(i, 0), 0, 2 - takes.get(i, 0)) for i in range(4)]


def test_releasing_a_partly_shipped_line_gives_back_only_what_it_still_holds(four: None) -> None:
    table = Table()
    tea = stocked_product(table, 8)
    takes = inventory.reserve(table, tea, 7, None, ids.new_id("ord"))
    assert takes is not None
    line = {"sku": tea, "quantity": 7, "shipped": 0, "shards": {str(k): v for k, v in takes.items()}}
    commit(table, *inventory.ship_line_ops(line, 3, "web"))
    line["shipped"] = 3
    commit(table, *inventory.release_line_ops(line, "web"))
    levels = inventory.levels(table, tea)
    assert levels.pool.model_dump() == {"on_hand": 5, "reserved": 0, "available": 5}
    assert all(s.reserved == 0 and s.available == s.on_hand >= 0 for s in levels.shards)


def test_lowering_the_setting_hides_no_stock(cloud: object) -> None:
    table = Table()
    with stock_shards(4):
        tea = stocked_product(table, 8)
    # Back to one shard: the pool item remembers four, so levels, orders and write-offs still see them all.
    assert inventory.levels(table, tea).pool.available == 8
    assert validate(step_input(order_request((tea, 8, 3900))), table)["ok"]
    assert place(table, tea, 5)["ok"]
    with pytest.raises(Conflict) as reserved:
        inventory.adjust(table, tea, -4, "damaged", None, ids.new_id("adj"))
    assert reserved.value.code == "stock_reserved"
    inventory.adjust(table, tea, -3, "damaged", None, ids.new_id("adj"))
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 5, "reserved": 5, "available": 0}


def test_write_offs_and_reships_take_free_units_from_shards_that_have_them(four: None) -> None:
    table = Table()
    tea = stocked_product(table, 8)
    takes = inventory.reserve(table, tea, 2, None, ids.new_id("ord"))
    assert takes is not None and len(takes) == 1
    inventory.adjust(table, tea, -5, "damaged", None, ids.new_id("adj"))  # from the fullest shards
    levels = inventory.levels(table, tea)
    assert levels.pool.model_dump() == {"on_hand": 3, "reserved": 2, "available": 1}
    assert all(s.available >= 0 and s.on_hand >= s.reserved for s in levels.shards)
    with pytest.raises(Conflict):
        inventory.adjust(table, tea, -2, "damaged", None, ids.new_id("adj"))  # only reserved units left

    inventory.adjust(table, tea, 3, "received", None, ids.new_id("adj"))
    current = inventory.levels(table, tea)
    assert max(s.available for s in current.shards) < 4
    commit(table, *inventory.reship_ops(tea, 4, current))  # no shard has four: split
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 2, "reserved": 2, "available": 0}
