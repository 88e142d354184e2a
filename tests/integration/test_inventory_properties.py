"""Property-based test of the inventory rules on a real engine: random sequences of receive, write-off,
channel allocation, reserve, release and ship, checked against a simple model after every step; with the
pool in one item and spread over 4 shard items (each shard's reserved must equal what the open
reservations took from it, so releases and shipments go back to the shards they came from)."""

from __future__ import annotations

from collections.abc import Iterator

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from oms import ids
from oms.domain.inventory import Takes
from oms.problems import Conflict, ValidationProblem
from oms.store import inventory
from oms.store.table import Table
from oms.store.unit_of_work import commit

from tests.integration.helpers import stock_shards, stocked_product

CHANNELS = ("web", "app")


class Inventory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.table = Table()
        self.sku = stocked_product(self.table, 0)
        self.on_hand = 0
        self.received = 0
        self.shipped = 0
        self.holds: list[tuple[int, str | None, Takes]] = []  # open: (quantity, capped channel, shards)
        self.caps: dict[str, int] = {}  # channel -> allocation less safety stock, still sellable

    def reserved(self, channel: str | None = None) -> int:
        return sum(q for q, c, _ in self.holds if channel is None or c == channel)

    def reserved_on(self, shard: int) -> int:
        return sum(takes.get(shard, 0) for _, _, takes in self.holds)

    @rule(quantity=st.integers(1, 20))
    def receive(self, quantity: int) -> None:
        inventory.adjust(self.table, self.sku, quantity, "received", None, ids.new_id("adj"))
        self.on_hand += quantity
        self.received += quantity

    @rule(quantity=st.integers(1, 20))
    def write_off(self, quantity: int) -> None:
        try:
            inventory.adjust(self.table, self.sku, -quantity, "damaged", None, ids.new_id("adj"))
        except Conflict:
            assert quantity > self.on_hand - self.reserved()
            return
        assert quantity <= self.on_hand - self.reserved()
        self.on_hand -= quantity

    @rule(channel=st.sampled_from(CHANNELS), allocation=st.integers(0, 15), safety=st.integers(0, 3))
    def allocate(self, channel: str, allocation: int, safety: int) -> None:
        try:
            inventory.set_allocation(self.table, self.sku, channel, allocation, safety)
        except ValidationProblem:
            assert safety > allocation
            return
        except Conflict:
            assert allocation - safety < self.reserved(channel)
            return
        assert allocation - safety >= self.reserved(channel)
        self.caps[channel] = allocation - safety - self.reserved(channel)

    @rule(quantity=st.integers(1, 8), channel=st.sampled_from((*CHANNELS, "marketplace")))
    def reserve(self, quantity: int, channel: str) -> None:
        capped = channel if channel in self.caps else None
        can = quantity <= self.on_hand - self.reserved() and (
            capped is None or quantity <= self.caps[channel]
        )
        takes = inventory.reserve(self.table, self.sku, quantity, capped, ids.new_id("ord"))
        if takes is None:
            assert not can  # refused only when the pool (all shards) or the channel's cap is short
            return
        assert can
        assert sum(takes.values()) == quantity
        self.holds.append((quantity, capped, takes))
        if capped:
            self.caps[channel] -= quantity

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        if not self.holds:
            return
        quantity, capped, takes = self.holds.pop(data.draw(st.integers(0, len(self.holds) - 1)))
        commit(self.table, *inventory.release_ops(self.sku, quantity, capped, takes))
        if capped:
            self.caps[capped] += quantity

    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        if not self.holds:
            return
        quantity, capped, takes = self.holds.pop(data.draw(st.integers(0, len(self.holds) - 1)))
        commit(self.table, *inventory.ship_ops(self.sku, quantity, capped, takes))
        self.on_hand -= quantity
        self.shipped += quantity

    @invariant()
    def counters_match_the_model(self) -> None:
        levels = inventory.levels(self.table, self.sku)
        assert levels.pool.on_hand == self.on_hand
        assert levels.pool.reserved == self.reserved()  # reserved equals the sum of open reservations
        assert levels.pool.available == self.on_hand - self.reserved() >= 0
        assert self.shipped <= self.received  # never sold more than was received
        for index, shard in enumerate(levels.shards):
            assert shard.reserved == self.reserved_on(index)
            assert shard.available == shard.on_hand - shard.reserved >= 0
        for channel, cap in self.caps.items():
            assert levels.channels[channel].available == cap >= 0
            assert levels.channels[channel].reserved == self.reserved(channel)
            assert 0 <= levels.available_for(channel) <= levels.pool.available


@pytest.fixture(params=[1, 4], ids=["1-shard", "4-shards"])
def shards(request: pytest.FixtureRequest, cloud: object) -> Iterator[int]:
    with stock_shards(request.param):
        yield request.param


def test_inventory_rules_hold_for_any_sequence(shards: int) -> None:
    run_state_machine_as_test(
        Inventory,
        settings=settings(
            # Fewer examples sharded: every step reads and writes four times the items on moto.
            max_examples=12 if shards == 1 else 8,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
