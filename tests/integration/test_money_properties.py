"""Money never goes wrong: any sequence of partial refunds, duplicate webhooks, concurrent requests and
returns never refunds more than was captured, and stock after inspection is what came back resellable."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from oms import clock, ids
from oms.api import return_requests
from oms.lifecycle import payments, return_inspection, returns
from oms.problems import Conflict, Problem
from oms.store import inventory, orders, refunds
from oms.store import returns as return_store
from oms.store.table import Table

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order

UNITS = 4
PRICE = 3000


class Money(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.table = Table()
        self.sku = stocked_product(self.table, 10, price=PRICE)
        self.order = delivered_order(self.table, (self.sku, UNITS, PRICE))
        self.captured = self.order["captured"]
        self.on_hand_after_shipping = 10 - UNITS
        self.resellable_back = 0
        self.settled: list[dict[str, Any]] = []  # refund webhooks already sent, to send again

    def current(self) -> dict[str, Any]:
        order = orders.get(self.table, self.order["id"])
        assert order is not None
        return order

    @rule(amounts=st.lists(st.integers(1, 9000), min_size=1, max_size=3))
    def concurrent_partial_refunds(self, amounts: list[int]) -> None:
        order = self.current()

        def refund(amount: int) -> None:
            with contextlib.suppress(Conflict):  # more than is left: refused, as it must be
                refunds.start(self.table, order, ids.new_id("ref"), amount, "goodwill", "adm")

        threads = [threading.Thread(target=refund, args=(a,)) for a in amounts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    @rule(succeeded=st.booleans(), data=st.data())
    def refund_webhook(self, succeeded: bool, data: st.DataObject) -> None:
        _, children = orders.record_for(self.table, self.order["id"], None)
        pending = [c for c in children if c["sk"].startswith("REFUND#") and c["status"] == "pending"]
        if not pending:
            return
        refund = data.draw(st.sampled_from(pending))
        event = payments.PaymentEvent(
            event_id=ids.new_id("evt"),
            type="refund.succeeded" if succeeded else "refund.failed",
            order_id=self.order["id"],
            payment_id="pay",
            refund_id=refund["id"],
            amount=refund["amount"],
            currency="CNY",
            occurred_at=clock.now(),
        )
        payments.handle(self.table, event)
        self.settled.append(event.model_dump())

    @rule(data=st.data())
    def duplicate_webhook(self, data: st.DataObject) -> None:
        if self.settled:
            event = payments.PaymentEvent.model_validate(data.draw(st.sampled_from(self.settled)))
            assert payments.handle(self.table, event) == "duplicate"

    @rule(
        quantity=st.integers(1, UNITS),
        conditions=st.lists(
            st.sampled_from(["resellable", "damaged", "not_original"]), min_size=1, max_size=2
        ),
    )
    def return_and_inspect(self, quantity: int, conditions: list[str]) -> None:
        body = return_requests.ReturnRequest(
            items=[{"sku": self.sku, "quantity": quantity}],
            reason="quality_issue",
            evidence=["https://img.example/x.jpg"],
        )
        try:
            item = returns.request_return(self.table, self.current(), body, None)
        except Problem:
            return  # nothing left to return
        split = [quantity // len(conditions)] * len(conditions)
        split[0] += quantity - sum(split)
        lines = [
            {"sku": self.sku, "quantity_received": q, "condition": c}
            for q, c in zip(split, conditions, strict=True)
        ]
        try:
            return_inspection.inspect(
                self.table,
                return_store.get(self.table, item["id"]),
                return_requests.Inspection(items=lines),
                "adm",
            )
        except Conflict:
            pass  # the refund would exceed what is left: nothing moves
        else:
            self.resellable_back += sum(
                q for q, c in zip(split, conditions, strict=True) if c == "resellable"
            )

    @invariant()
    def never_more_than_captured(self) -> None:
        order = self.current()
        assert 0 <= order["refunded"] <= order["captured"] == self.captured
        assert order["refundable"] == order["captured"] - order["refunded"]
        _, children = orders.record_for(self.table, self.order["id"], None)
        live = sum(c["amount"] for c in children if c["sk"].startswith("REFUND#") and c["status"] != "failed")
        assert live == order["refunded"]

    @invariant()
    def stock_is_what_came_back_resellable(self) -> None:
        assert (
            inventory.levels(self.table, self.sku).pool.on_hand
            == self.on_hand_after_shipping + self.resellable_back
        )


def test_money_and_stock_stay_right_under_any_sequence(cloud: object) -> None:
    run_state_machine_as_test(
        Money,
        settings=settings(
            max_examples=8, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
