"""Property-based test of the inventory rules on a real engine: random sequences of receive, write-off,
channel allocation, reserve, release and ship, checked against a simple model after every step."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from oms import ids
from oms.problems import Conflict, ValidationProblem
from oms.store import inventory
from oms.store.table import Table, TransactionCancelled

from tests.integration.helpers import stocked_product

CHANNELS = ("web", "app")


class Inventory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.table = Table()
        self.sku = stocked_product(self.table, 0)
        self.on_hand = 0
        self.received = 0
        self.shipped = 0
        self.holds: list[tuple[int, str | None]] = []  # open reservations: (quantity, capped channel)
        self.caps: dict[str, int] = {}  # channel -> allocation less safety stock, still sellable

    def reserved(self, channel: str | None = None) -> int:
        return sum(q for q, c in self.holds if channel is None or c == channel)

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
        try:
            self.table.transact(inventory.reserve_ops(self.sku, quantity, capped))
        except TransactionCancelled:
            assert not can
            return
        assert can
        self.holds.append((quantity, capped))
        if capped:
            self.caps[channel] -= quantity

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        if not self.holds:
            return
        quantity, capped = self.holds.pop(data.draw(st.integers(0, len(self.holds) - 1)))
        self.table.transact(inventory.release_ops(self.sku, quantity, capped))
        if capped:
            self.caps[capped] += quantity

    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        if not self.holds:
            return
        quantity, capped = self.holds.pop(data.draw(st.integers(0, len(self.holds) - 1)))
        self.table.transact(inventory.ship_ops(self.sku, quantity, capped))
        self.on_hand -= quantity
        self.shipped += quantity

    @invariant()
    def counters_match_the_model(self) -> None:
        levels = inventory.levels(self.table, self.sku)
        assert levels.pool.on_hand == self.on_hand
        assert levels.pool.reserved == self.reserved()  # reserved equals the sum of open reservations
        assert levels.pool.available == self.on_hand - self.reserved() >= 0
        assert self.shipped <= self.received  # never sold more than was received
        for channel, cap in self.caps.items():
            assert levels.channels[channel].available == cap >= 0
            assert levels.channels[channel].reserved == self.reserved(channel)
            assert 0 <= levels.available_for(channel) <= levels.pool.available


def test_inventory_rules_hold_for_any_sequence(cloud: object) -> None:
    run_state_machine_as_test(
        Inventory,
        settings=settings(
            max_examples=12, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
