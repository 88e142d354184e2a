"""What a buyer receives for a unit never exceeds what they paid for it, whatever mix of returns, refusals
with alternatives (exchange, partial refund, repair), acceptances and declines they go through.

Units settled by an accepted alternative are settled: they cannot be returned again. Declining an offer
frees them for another request.
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from oms.api import return_requests
from oms.domain.returns import net_paid, partial_refund_cap
from oms.lifecycle import return_decisions, return_inspection, returns
from oms.problems import Problem
from oms.store import orders
from oms.store import returns as return_store
from oms.store.table import Table

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order

UNITS = 3
PRICE = 12900
ALTERNATIVES = ("exchange", "partial_refund", "repair")


class Compensation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.table = Table()
        self.sku = stocked_product(self.table, 20, price=PRICE)
        self.order = delivered_order(self.table, (self.sku, UNITS, PRICE))
        self.line = next(line for line in self.order["lines"] if line["sku"] == self.sku)
        self.unit_worth = net_paid(self.line) // UNITS
        self.replaced_units = 0  # units sent again free of charge by accepted exchanges
        self.open: list[str] = []  # returns that were asked for and may still be decided

    def current(self) -> dict[str, Any]:
        order = orders.get(self.table, self.order["id"])
        assert order is not None
        return order

    def returned(self, return_id: str) -> dict[str, Any]:
        item = return_store.get(self.table, return_id)
        assert item is not None
        return item

    @rule(quantity=st.integers(1, UNITS), reason=st.sampled_from(["size_fit", "changed_mind", "no_reason"]))
    def ask(self, quantity: int, reason: str) -> None:
        body = return_requests.ReturnRequest(items=[{"sku": self.sku, "quantity": quantity}], reason=reason)
        try:
            item = returns.request_return(self.table, self.current(), body, None)
        except Problem as refused:
            assert refused.code == "return_not_eligible"
            return
        self.open.append(item["id"])

    @precondition(lambda self: self.open)
    @rule(data=st.data(), alternative=st.sampled_from(ALTERNATIVES), share=st.integers(1, 100))
    def refuse_with_an_alternative(self, data: st.DataObject, alternative: str, share: int) -> None:
        item = self.returned(data.draw(st.sampled_from(self.open)))
        if item["status"] not in ("requested", "under_review"):
            return
        amount = None
        if alternative == "partial_refund":
            amount = max(1, partial_refund_cap(self.current(), item["items"]) * share // 100)
        decision = return_requests.ReturnDecision(
            decision="reject", reason="seen", alternative=alternative, partial_refund_amount=amount
        )
        try:
            return_decisions.decide(self.table, item, decision, "adm")
        except Problem as refused:
            assert refused.code == "amount_too_large"  # nothing left to refund on the order

    @precondition(lambda self: self.open)
    @rule(data=st.data(), accept=st.booleans())
    def answer_the_offer(self, data: st.DataObject, accept: bool) -> None:
        item = self.returned(data.draw(st.sampled_from(self.open)))
        if item["status"] != "rejected":
            return
        if not accept:
            return_decisions.decline_alternative(self.table, item, "cus")
            return
        closed = return_decisions.accept_alternative(self.table, item, "cus")
        if closed["outcome"]["alternative"] == "exchange":
            self.replaced_units += sum(i["quantity"] for i in item["items"])

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def approve_and_take_back(self, data: st.DataObject) -> None:
        item = self.returned(data.draw(st.sampled_from(self.open)))
        if item["status"] not in ("requested", "under_review", "awaiting_parcel"):
            return
        if item["status"] != "awaiting_parcel":
            item = return_decisions.decide(
                self.table, item, return_requests.ReturnDecision(decision="approve", reason="ok"), "adm"
            )
        lines = [
            {"sku": self.sku, "quantity_received": i["quantity"], "condition": "resellable"}
            for i in item["items"]
        ]
        return_inspection.inspect(self.table, item, return_requests.Inspection(items=lines), "adm")

    @invariant()
    def a_unit_never_brings_back_more_than_it_cost(self) -> None:
        order = self.current()
        received = order["refunded"] + self.replaced_units * self.unit_worth
        assert received <= net_paid(self.line), (order["refunded"], self.replaced_units)

    @invariant()
    def no_more_units_held_than_were_shipped(self) -> None:
        line = next(line for line in self.current()["lines"] if line["sku"] == self.sku)
        assert 0 <= line.get("return_requested", 0) <= line["shipped"]


def test_alternatives_never_pay_a_unit_twice(cloud: object) -> None:
    run_state_machine_as_test(
        Compensation,
        settings=settings(
            max_examples=25, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
