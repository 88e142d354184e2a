"""Refund only: which way a request goes from where the goods are, what it pays back, what refuses it."""

from __future__ import annotations

from typing import Any

import pytest
from oms.domain import refund_only as rules
from oms.domain.tracking import exception_kind
from oms.interception_port import SandboxInterceptor
from oms.problems import Problem


def order(status: str = "shipped", shipped: int = 2, **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "refundable": 21_000,
        "totals": {"shipping_fee": 1_000},
        "lines": [
            {"sku": "MUG-1", "quantity": 2, "shipped": shipped, "line_total": 20_000, "discount": 0},
        ],
        **fields,
    }


def parcel(status: str, units: int = 2, pid: str = "shp_1", kind: str = "outbound") -> dict[str, Any]:
    return {"id": pid, "kind": kind, "status": status, "items": [{"sku": "MUG-1", "quantity": units}]}


def refused(call: Any) -> Problem:
    with pytest.raises(Problem) as caught:
        call()
    return caught.value


def test_a_lost_parcel_is_refunded_with_its_shipping() -> None:
    plan = rules.plan(order(), [parcel("lost")], {"MUG-1": 2}, None)
    assert plan == rules.Plan(rules.Route.lost, ("shp_1",))
    assert rules.owed(order(), {"MUG-1": 2}) == (21_000, {"MUG-1": 2})
    # One unit of two: its share, and no shipping (the other unit still travels on it).
    assert rules.owed(order(), {"MUG-1": 1}) == (10_000, {"MUG-1": 1})


@pytest.mark.parametrize("status", ["info_received", "in_transit", "exception", "failed_attempt"])
def test_a_moving_parcel_is_intercepted_whole(status: str) -> None:
    assert rules.plan(order(), [parcel(status)], {"MUG-1": 2}, None).route is rules.Route.intercept
    part = refused(lambda: rules.plan(order(), [parcel(status)], {"MUG-1": 1}, None))
    assert (part.status, part.code) == (422, "whole_parcel_required")


@pytest.mark.parametrize("status", ["out_for_delivery", "delivered", "returned_to_sender"])
def test_a_parcel_past_stopping_is_refused(status: str) -> None:
    problem = refused(lambda: rules.plan(order(), [parcel(status)], {"MUG-1": 2}, None))
    assert (problem.status, problem.code) == (409, "parcel_not_interceptable")


def test_a_return_parcel_is_not_the_buyers_parcel() -> None:
    parcels = [parcel("in_transit"), parcel("delivered", pid="shp_r", kind="return")]
    assert rules.plan(order(), parcels, {"MUG-1": 2}, None) == rules.Plan(rules.Route.intercept, ("shp_1",))


def test_a_whole_order_not_shipped_is_cancelled() -> None:
    for status in ("awaiting_fulfillment", "under_review", "on_hold"):
        assert rules.check_shipped(order(status, 0), {"MUG-1": 2}) is rules.Route.not_shipped
        assert rules.plan(order(status, 0), [], {"MUG-1": 2}, None).route is rules.Route.not_shipped
    assert rules.check_shipped(order(), {"MUG-1": 2}) is None  # shipped: it goes by the parcels


def test_goods_not_shipped_or_not_paid_point_elsewhere() -> None:
    for status, shipped, code in [
        ("awaiting_fulfillment", 0, "cancel_instead"),  # one unit of two: an edit removes it
        ("partially_shipped", 1, "cancel_instead"),
        ("pending_payment", 0, "nothing_to_refund"),
        ("cancelled", 0, "nothing_to_refund"),
    ]:
        asked = {"MUG-1": 1 if status == "awaiting_fulfillment" else 2}
        problem = refused(lambda: rules.check_shipped(order(status, shipped), asked))
        assert (problem.status, problem.code) == (409, code)


def test_kept_goods_need_an_amount_within_what_they_cost() -> None:
    delivered = order("delivered")
    assert rules.plan(delivered, [parcel("delivered")], {"MUG-1": 1}, 3_000).route is rules.Route.kept
    assert refused(lambda: rules.plan(delivered, [], {"MUG-1": 1}, None)).code == "amount_required"
    assert refused(lambda: rules.plan(order(), [parcel("lost")], {"MUG-1": 2}, 500)).code == (
        "amount_not_allowed"
    )
    rules.check_amount(delivered, [{"sku": "MUG-1", "quantity": 1}], 10_000)
    too_much = refused(lambda: rules.check_amount(delivered, [{"sku": "MUG-1", "quantity": 1}], 10_001))
    assert (too_much.status, too_much.code) == (422, "amount_too_large")


def test_the_sandbox_carrier_takes_the_instruction_only_while_the_parcel_moves() -> None:
    carrier = SandboxInterceptor()
    assert carrier.intercept(parcel("in_transit"), "ret_1:shp_1").accepted
    late = carrier.intercept(parcel("out_for_delivery"), "ret_1:shp_1")
    assert not late.accepted and late.reason and "out_for_delivery" in late.reason


def test_a_parcel_we_asked_back_is_not_a_refusal() -> None:
    history = [{"event_id": "e1", "status": "returned_to_sender", "occurred_at": "2026-12-01T00:00:00Z"}]
    assert exception_kind("returned_to_sender", history) == "refused"
    assert exception_kind("returned_to_sender", history, "ret_1") is None
