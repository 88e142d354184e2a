"""Returns on a real engine: policy, review, parcel, inspection, refund and restock."""

from __future__ import annotations

from typing import Any

import pytest
from oms import clock
from oms.api import return_requests
from oms.jobs import return_lapse, sla_escalation
from oms.lifecycle import return_decisions, return_inspection, return_parcel, returns
from oms.lifecycle.refund_step import process as process_refund
from oms.problems import Problem
from oms.store import inventory, orders
from oms.store import returns as store
from oms.store.table import Table

from tests.integration.helpers import stocked_product
from tests.integration.returns_helpers import delivered_order

PHOTO = "https://img.example/broken.jpg"


def ask(
    table: Table,
    order: dict[str, Any],
    reason: str,
    *items: tuple[str, int],
    evidence: list[str] | None = None,
) -> dict[str, Any]:
    body = return_requests.ReturnRequest(
        items=[{"sku": s, "quantity": q} for s, q in items], reason=reason, evidence=evidence or []
    )
    return returns.request_return(table, orders.get(table, order["id"]), body, None)


def inspect(table: Table, item: dict[str, Any], *lines: tuple[str, int, str]) -> dict[str, Any]:
    body = return_requests.Inspection(
        items=[{"sku": s, "quantity_received": q, "condition": c} for s, q, c in lines]
    )
    return return_inspection.inspect(table, store.get(table, item["id"]), body, "adm_1")


def settle_refunds(table: Table, order_id: str) -> None:
    _, children = orders.record_for(table, order_id, None)
    for refund in (c for c in children if c["sk"].startswith("REFUND#")):
        process_refund(table, order_id, refund["id"])


def test_a_no_reason_return_within_seven_days_goes_all_the_way(cloud: object) -> None:
    table = Table()
    shirt = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (shirt, 2, 12900))
    item = ask(table, order, "no_reason", (shirt, 1))
    assert item["status"] == "awaiting_parcel"  # the rules approved it
    assert item["shipping_payer"] == "buyer"
    assert item["instructions"]["recommended_carrier"] == "sf"
    shipped = return_parcel.record_parcel(
        table, item, return_requests.ReturnParcel(carrier="sf", tracking_number="SFRET000001"), "cus_r"
    )
    assert shipped["status"] == "in_transit"
    on_hand = inventory.levels(table, shirt).pool.on_hand
    inspected = inspect(table, shipped, (shirt, 1, "resellable"))
    assert inspected["status"] == "refund_pending"
    assert inspected["refund"]["amount"] == 12900
    assert inventory.levels(table, shirt).pool.on_hand == on_hand + 1  # back on the shelf
    settle_refunds(table, order["id"])
    done = store.get(table, item["id"])
    assert done is not None and done["status"] == "refunded"
    stored = orders.get(table, order["id"])
    assert stored is not None and (stored["refunded"], stored["open_returns"]) == (12900, 0)


def test_a_quality_return_with_evidence_is_approved_and_refunds_shipping(cloud: object) -> None:
    table = Table()
    kettle = stocked_product(table, 5, price=5000)
    order = delivered_order(table, (kettle, 1, 5000))  # 5000 < 9900: the buyer paid 1000 shipping
    item = ask(table, order, "quality_issue", (kettle, 1), evidence=[PHOTO])
    assert (item["status"], item["shipping_payer"]) == ("awaiting_parcel", "merchant")
    inspected = inspect(table, item, (kettle, 1, "damaged"))
    assert inspected["refund"]["amount"] == 6000  # the item and the original shipping: the merchant's fault
    assert inventory.levels(table, kettle).pool.on_hand == 4  # damaged is not restocked


def test_a_quality_claim_without_evidence_waits_for_a_person_within_its_sla(cloud: object) -> None:
    table = Table()
    kettle = stocked_product(table, 5, price=5000)
    order = delivered_order(table, (kettle, 1, 5000))
    item = ask(table, order, "quality_issue", (kettle, 1))
    assert item["status"] == "under_review" and item["review_due_at"]
    clock.advance(25 * 3600)
    try:
        assert sla_escalation.run(table)["escalated"] == 1
    finally:
        clock.reset()
    reviewed = return_decisions.decide(
        table,
        store.get(table, item["id"]),
        return_requests.ReturnDecision(decision="approve", reason="photos sent by mail"),
        "adm",
    )
    assert reviewed["status"] == "awaiting_parcel"


def test_a_refusal_must_offer_an_alternative_and_an_exchange_reserves_stock(cloud: object) -> None:
    table = Table()
    shirt = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (shirt, 1, 12900))
    item = ask(table, order, "changed_mind", (shirt, 1))
    assert item["status"] == "under_review"
    with pytest.raises(Problem) as missing:
        return_decisions.decide(
            table, item, return_requests.ReturnDecision(decision="reject", reason="worn"), "adm"
        )
    assert missing.value.code == "alternative_required"
    rejected = return_decisions.decide(
        table,
        item,
        return_requests.ReturnDecision(decision="reject", reason="worn", alternative="exchange"),
        "adm",
    )
    assert rejected["decision"]["alternative"] == "exchange"
    reserved = inventory.levels(table, shirt).pool.reserved
    closed = return_decisions.accept_alternative(table, rejected, "cus_r")
    replacement = orders.get(table, closed["outcome"]["replacement_order_id"])
    assert replacement is not None and (replacement["status"], replacement["totals"]["total"]) == (
        "awaiting_fulfillment",
        0,
    )
    assert inventory.levels(table, shirt).pool.reserved == reserved + 1


def test_a_partial_refund_alternative(cloud: object) -> None:
    table = Table()
    shirt = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (shirt, 1, 12900))
    item = ask(table, order, "size_fit", (shirt, 1))
    rejected = return_decisions.decide(
        table,
        item,
        return_requests.ReturnDecision(
            decision="reject", reason="fits", alternative="partial_refund", partial_refund_amount=2000
        ),
        "adm",
    )
    return_decisions.accept_alternative(table, rejected, "cus_r")
    stored = orders.get(table, order["id"])
    assert stored is not None and stored["refunded"] == 2000


def test_an_item_that_is_not_the_original_is_disputed_and_not_refunded(cloud: object) -> None:
    table = Table()
    phone = stocked_product(table, 5, price=6000)
    order = delivered_order(table, (phone, 2, 6000))
    item = ask(table, order, "no_reason", (phone, 2))
    inspected = inspect(table, item, (phone, 1, "resellable"), (phone, 1, "not_original"))
    assert inspected["inspection"]["disputed"] == [{"sku": phone, "condition": "not_original", "quantity": 1}]
    assert inspected["refund"]["amount"] == 6000  # only the unit that came back as sold


def test_excluded_products_and_late_requests_are_refused_with_alternatives(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 5, flags=["food"])
    order = delivered_order(table, (tea, 1, 3900))
    with pytest.raises(Problem) as excluded:
        ask(table, order, "no_reason", (tea, 1))
    assert (excluded.value.status, excluded.value.code) == (422, "return_not_eligible")
    assert excluded.value.errors[0].extra["code"] == "excluded_product"
    assert excluded.value.extra["alternatives"] == ["partial_refund"]
    clock.advance(16 * 24 * 3600)
    try:
        with pytest.raises(Problem) as late:
            ask(table, order, "quality_issue", (tea, 1), evidence=[PHOTO])
    finally:
        clock.reset()
    assert late.value.errors[0].extra["code"] == "window_expired"
    assert late.value.extra["alternatives"] == ["repair", "exchange", "partial_refund"]


def test_no_more_than_delivered_minus_already_returned(cloud: object) -> None:
    table = Table()
    shirt = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (shirt, 2, 12900))
    ask(table, order, "no_reason", (shirt, 1))
    ask(table, order, "no_reason", (shirt, 1))
    with pytest.raises(Problem) as too_many:
        ask(table, order, "no_reason", (shirt, 1))
    assert too_many.value.errors[0].extra == {"code": "return_quantity_exceeded", "returnable_quantity": 0}


def test_an_approved_return_not_shipped_lapses_and_frees_its_units(cloud: object) -> None:
    table = Table()
    shirt = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (shirt, 1, 12900))
    item = ask(table, order, "no_reason", (shirt, 1))
    clock.advance(8 * 24 * 3600)
    try:
        assert return_lapse.run(table)["lapsed"] == 1
    finally:
        clock.reset()
    assert store.get(table, item["id"])["status"] == "lapsed"
    assert orders.get(table, order["id"])["lines"][0]["return_requested"] == 0
