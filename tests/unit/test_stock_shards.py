"""The pure rules of sharded stock counters: where a line's units come from, where receipts and write-offs
go, and which shards a partly shipped line still holds."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given
from oms.domain.inventory import (
    PoolStock,
    choose_shards,
    line_takes,
    pool_total,
    record_takes,
    shipping_from,
    spread_receipt,
    spread_write_off,
    still_held,
)

shards = st.lists(st.integers(0, 30), min_size=1, max_size=16)


def test_a_whole_line_goes_to_one_shard_that_has_it_else_it_is_split_fullest_first() -> None:
    assert choose_shards([0, 5, 1, 5], 4, seed=0) == {1: 4}
    assert choose_shards([0, 5, 1, 5], 4, seed=1) == {3: 4}
    assert choose_shards([2, 3, 1, 0], 5, seed=0) == {1: 3, 0: 2}
    assert choose_shards([2, 3, 1, 0], 7, seed=0) is None


@given(shards, st.integers(1, 60), st.integers(0, 2**32))
def test_a_line_is_refused_only_when_all_shards_together_are_short(
    available: list[int], quantity: int, seed: int
) -> None:
    takes = choose_shards(available, quantity, seed)
    if sum(available) < quantity:
        assert takes is None
        return
    assert takes is not None and sum(takes.values()) == quantity
    assert all(0 < units <= available[shard] for shard, units in takes.items())


def test_receipts_fill_the_emptiest_shards() -> None:
    assert spread_receipt([5, 0, 2, 0], 4) == {1: 2, 3: 2}
    assert spread_receipt([5, 0, 2, 0], 9) == {1: 4, 3: 3, 2: 2}  # ends [5, 4, 4, 3]
    assert spread_receipt([0, 0, 0], 2) == {0: 1, 1: 1}


@given(shards, st.integers(0, 200))
def test_receipts_level_the_shards(available: list[int], units: int) -> None:
    takes = spread_receipt(available, units)
    assert sum(takes.values()) == units
    after = [a + takes.get(i, 0) for i, a in enumerate(available)]
    # Water-filling: the shards that received units end within one of the emptiest shard.
    assert all(after[i] <= min(after) + 1 for i in takes)


@given(shards, st.integers(1, 200))
def test_write_offs_never_take_more_than_a_shard_has_free(available: list[int], units: int) -> None:
    takes = spread_write_off(available, units)
    if sum(available) < units:
        assert takes is None
        return
    assert takes is not None and sum(takes.values()) == units
    assert all(units <= available[shard] for shard, units in takes.items())


@given(
    st.dictionaries(st.integers(0, 15), st.integers(1, 9), min_size=1, max_size=6),
    st.data(),
)
def test_shipments_then_a_release_give_each_shard_exactly_what_it_lent(
    takes: dict[int, int], data: st.DataObject
) -> None:
    quantity = sum(takes.values())
    shipped = 0
    given_back: dict[int, int] = {}
    while shipped < quantity and data.draw(st.booleans()):
        now = data.draw(st.integers(1, quantity - shipped))
        for shard, units in shipping_from(takes, shipped, now).items():
            given_back[shard] = given_back.get(shard, 0) + units
        shipped += now
    for shard, units in still_held(takes, shipped).items():
        given_back[shard] = given_back.get(shard, 0) + units
    assert given_back == takes


def test_the_unsharded_layout_records_nothing_on_the_line() -> None:
    assert record_takes({0: 3}, 3) is None
    assert line_takes(None, 3) == {0: 3}
    assert record_takes({2: 1, 0: 2}, 3) == {"0": 2, "2": 1}
    assert line_takes({"0": 2, "2": 1}, 3) == {0: 2, 2: 1}


def test_the_pool_is_the_sum_of_its_shards() -> None:
    total = pool_total([PoolStock(on_hand=3, reserved=1, available=2), PoolStock(on_hand=4, available=4)])
    assert total.model_dump() == {"on_hand": 7, "reserved": 1, "available": 6}
