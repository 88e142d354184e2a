"""A step that dies right after one of its DynamoDB writes, then runs again, leaves the system consistent.

Lambda, SQS and Step Functions retry a step that failed; a client retries a request that got no answer.
For every step that writes more than once, each case here lets the n-th write succeed, raises
:class:`~oms_local.faults.InjectedCrash` right after it (a function that died there), runs the step again
the way its caller would, and checks stock, money, status, timeline and events. The number of writes of
each step is declared and checked, so every write boundary is covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from oms import clock, events, ids
from oms.api import return_requests
from oms.domain.catalog import PresaleDeposit
from oms.domain.order_edits import OrderEditRequest
from oms.domain.order_status import Move
from oms.event_catalogue import DomainEvent
from oms.jobs import release_unpaid
from oms.lifecycle import (
    after_sales,
    cancellation,
    instant_refund,
    order_edits,
    payments,
    refund_step,
    return_decisions,
    return_inspection,
    return_parcel,
    returns,
    review,
    tracking,
)
from oms.lifecycle.order_exceptions import ExceptionInput, record
from oms.lifecycle.tracking import CarrierEvent
from oms.payments_port import RefundAnswer
from oms.placing import reserve, validate
from oms.problems import Problem
from oms.store import instant_refunds, inventory, moves, orders
from oms.store import returns as return_store
from oms.store.table import Item, Table
from oms_local import faults
from oms_local.cloud import Cloud
from oms_local.testing import Worlds

from tests.integration.helpers import on_order, on_return, order_request, step_input, stocked_product
from tests.integration.returns_helpers import delivered_order, shipped_order

Context = dict[str, Any]


@dataclass(frozen=True)
class Step:
    name: str
    writes: int  # DynamoDB writes of one uninterrupted run
    prepare: Callable[[Table], Context]
    run: Callable[[Table, Context], object]
    check: Callable[[Table, Context], None]


# ------------------------------------------------------------------------------------------------ scenarios


def _placed(table: Table, sku: str, qty: int = 1, price: int = 3900) -> Item:
    checked = validate(step_input(order_request((sku, qty, price)), f"cus_{ids.new_id('c')[2:10]}"), table)
    assert checked["ok"], checked
    return dict(reserve(checked, table)["order"])


def _pay(table: Table, order: Item) -> str:
    return payments.handle(
        table,
        payments.PaymentEvent(
            event_id=ids.new_id("evt"),
            type="payment.succeeded",
            order_id=order["id"],
            payment_id=f"pay_{order['id']}",
            amount=order["totals"]["total"],
            currency="CNY",
            occurred_at=clock.now(),
        ),
    )


def _paid_order(table: Table, price: int = 3900) -> Context:
    sku = stocked_product(table, 5, price=price)
    order = _placed(table, sku, 2, price)
    _pay(table, order)
    return {"sku": sku, "order_id": order["id"], "total": order["totals"]["total"]}


def _refunds(table: Table, order_id: str) -> list[Item]:
    _, children = orders.record_for(table, order_id, None)
    return [c for c in children if c["sk"].startswith("REFUND#")]


def _check_money(table: Table, order_id: str) -> Item:
    order = orders.get(table, order_id)
    assert order is not None
    assert 0 <= order["refunded"] <= order["captured"]
    # A presale deposit the terms keep is money the merchant keeps: neither refunded nor refundable.
    assert order["refundable"] == order["captured"] - order["refunded"] - order.get("deposit_kept", 0)
    started = _refunds(table, order_id)
    # Every refund taken off the order has its record, and none twice: failed ones gave their amount back.
    assert sum(r["amount"] for r in started if r["status"] != "failed") == order["refunded"]
    assert len({r["id"] for r in started}) == len(started)
    return order


def _check_cancelled(table: Table, ctx: Context, move: str) -> None:
    order = _check_money(table, ctx["order_id"])
    assert order["status"] == "cancelled"
    assert order["refunded"] == order["captured"] == ctx["total"]  # all of it goes back, once
    assert [r["amount"] for r in _refunds(table, ctx["order_id"])] == [ctx["total"]]
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 0  # stock back, once
    assert inventory.levels(table, ctx["sku"]).pool.on_hand == 5
    assert [e["type"] for e in order["timeline"]].count(move) == 1


# cancel a paid order (storefront POST /v1/orders/{id}/cancel)


def _cancel(table: Table, ctx: Context) -> object:
    return on_order(
        table,
        ctx["order_id"],
        lambda order: cancellation.cancel(table, order, by="cus", reason="customer_request"),
    )


# reject an order held for review (POST /v1/admin/orders/{id}/review)


def _held_order(table: Table) -> Context:
    ctx = _paid_order(table, price=699900)  # a large amount: held for review
    held = orders.get(table, ctx["order_id"])
    assert held is not None and held["status"] == "under_review"
    return ctx


def _reject(table: Table, ctx: Context) -> object:
    decision = review.ReviewDecision(decision="reject", reason="fraud")
    return on_order(table, ctx["order_id"], lambda order: review.decide(table, order, decision, "adm"))


# the provider's refund.failed webhook (delivered again until answered)


def _cancelled_with_pending_refund(table: Table) -> Context:
    ctx = _paid_order(table)
    _cancel(table, ctx)
    (refund,) = _refunds(table, ctx["order_id"])
    return {**ctx, "refund_id": refund["id"]}


def _refund_failed(table: Table, ctx: Context) -> object:
    event = payments.PaymentEvent(
        event_id=f"evt_fail_{ctx['refund_id']}",
        type="refund.failed",
        order_id=ctx["order_id"],
        payment_id=f"pay_{ctx['order_id']}",
        refund_id=ctx["refund_id"],
        amount=ctx["total"],
        currency="CNY",
        occurred_at=clock.now(),
    )
    return payments.handle(table, event)


def _check_refund_attempted_again(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    by_id = {r["id"]: r for r in _refunds(table, ctx["order_id"])}
    assert by_id[ctx["refund_id"]]["status"] == "failed"
    again = by_id[ids.derived_id("ref", ctx["refund_id"], "retry")]  # a new attempt: never dropped
    assert (again["status"], again["amount"], again["attempt"]) == ("pending", ctx["total"], 2)
    assert len(by_id) == 2
    assert order["refunded"] == order["captured"] == ctx["total"]


# the refund consumer when the provider refuses (SQS delivers it again)


def _process_refusal(table: Table, ctx: Context) -> object:
    return refund_step.process(table, ctx["order_id"], ctx["refund_id"])


class _RefusingProvider:
    def __init__(self, table: Table) -> None:
        self.table = table

    def refund(self, refund: dict[str, Any], order: dict[str, Any]) -> RefundAnswer:
        return RefundAnswer(status="failed", provider_ref=f"declined_{refund['id']}")


# returns


def _ask(table: Table, order: Item, reason: str, key: str | None = None) -> Item:
    body = return_requests.ReturnRequest(
        items=[{"sku": order["lines"][0]["sku"], "quantity": 1}], reason=reason
    )
    stored = orders.get(table, order["id"])
    assert stored is not None
    return returns.request_return(table, stored, body, key)


def _delivered(table: Table) -> Context:
    sku = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (sku, 2, 12900), customer=f"cus_{ids.new_id('c')[2:10]}")
    return {"sku": sku, "order_id": order["id"], "total": order["totals"]["total"]}


def _request_return(table: Table, ctx: Context) -> object:
    body = return_requests.ReturnRequest(items=[{"sku": ctx["sku"], "quantity": 1}], reason="no_reason")
    return on_order(table, ctx["order_id"], lambda order: returns.request_return(table, order, body, "key-1"))


def _check_requested(table: Table, ctx: Context) -> None:
    order = orders.get(table, ctx["order_id"])
    assert order is not None
    return_id = ids.derived_id("ret", order["customer_id"], "key-1")
    item = return_store.get(table, return_id)
    assert item is not None
    assert item["status"] == "awaiting_parcel"  # decided by the rules, not left "requested"
    assert (order["open_returns"], order["lines"][0]["return_requested"]) == (1, 1)


def _under_review(table: Table) -> Context:
    ctx = _delivered(table)
    order = orders.get(table, ctx["order_id"])
    assert order is not None
    item = _ask(table, order, "changed_mind")
    assert item["status"] == "under_review"
    return {**ctx, "return_id": item["id"]}


def _reject_return(table: Table, ctx: Context) -> object:
    decision = return_requests.ReturnDecision(decision="reject", reason="worn", alternative="repair")
    return on_return(
        table, ctx["return_id"], lambda item: return_decisions.decide(table, item, decision, "adm")
    )


def _approved(table: Table) -> Context:
    ctx = _delivered(table)
    order = orders.get(table, ctx["order_id"])
    assert order is not None
    item = _ask(table, order, "no_reason")
    assert item["status"] == "awaiting_parcel"
    return {**ctx, "return_id": item["id"]}


def _cancel_return(table: Table, ctx: Context) -> object:
    return on_return(table, ctx["return_id"], lambda item: returns.cancel(table, item, "cus"))


def _check_units_free(status: str, held: int = 0) -> Callable[[Table, Context], None]:
    def check(table: Table, ctx: Context) -> None:
        item = return_store.get(table, ctx["return_id"])
        assert item is not None and item["status"] == status
        order = orders.get(table, ctx["order_id"])
        assert order is not None
        # The order no longer waits for this return; its units are free again (``held`` while a refusal's
        # alternative stands, until the buyer accepts or declines it).
        assert (order["open_returns"], order["lines"][0]["return_requested"]) == (0, held)

    return check


def _lapse(table: Table, ctx: Context) -> object:
    """What the return-lapse job does with one due return (the next run is the retry)."""
    item = return_store.get(table, ctx["return_id"])
    assert item is not None
    return returns.lapse(table, item) if item["status"] == "awaiting_parcel" else item


def _rejected_with_partial_refund(table: Table) -> Context:
    ctx = _under_review(table)
    decision = return_requests.ReturnDecision(
        decision="reject", reason="fits", alternative="partial_refund", partial_refund_amount=2000
    )
    item = return_store.get(table, ctx["return_id"])
    assert item is not None
    assert return_decisions.decide(table, item, decision, "adm")["status"] == "rejected"
    return ctx


def _accept_partial_refund(table: Table, ctx: Context) -> object:
    return on_return(
        table, ctx["return_id"], lambda item: return_decisions.accept_alternative(table, item, "cus")
    )


def _check_partial_refund(table: Table, ctx: Context) -> None:
    item = return_store.get(table, ctx["return_id"])
    assert item is not None and item["status"] == "closed"
    refund_id = ids.derived_id("ref", ctx["return_id"], "partial")
    assert item["outcome"] == {"alternative": "partial_refund", "refund_id": refund_id}
    order = _check_money(table, ctx["order_id"])
    assert [(r["id"], r["amount"]) for r in _refunds(table, ctx["order_id"])] == [(refund_id, 2000)]
    assert order["refunded"] == 2000


def _in_transit(table: Table) -> Context:
    ctx = _approved(table)
    item = return_store.get(table, ctx["return_id"])
    assert item is not None
    parcel = return_requests.ReturnParcel(carrier="sf", tracking_number=f"SFR{ids.new_id('t')[2:14]}")
    return_parcel.record_parcel(table, item, parcel, "cus")
    return {**ctx, "on_hand": inventory.levels(table, ctx["sku"]).pool.on_hand}


def _inspect(table: Table, ctx: Context) -> object:
    body = return_requests.Inspection(
        items=[{"sku": ctx["sku"], "quantity_received": 1, "condition": "resellable"}]
    )
    return on_return(
        table, ctx["return_id"], lambda item: return_inspection.inspect(table, item, body, "adm")
    )


def _check_inspected(table: Table, ctx: Context) -> None:
    item = return_store.get(table, ctx["return_id"])
    assert item is not None and item["status"] == "refund_pending"
    order = _check_money(table, ctx["order_id"])
    assert [r["amount"] for r in _refunds(table, ctx["order_id"])] == [12900]  # one unit, refunded once
    assert (order["open_returns"], order["lines"][0]["return_refunded"]) == (0, 1)
    assert inventory.levels(table, ctx["sku"]).pool.on_hand == ctx["on_hand"] + 1  # restocked once
    assert [e["type"] for e in item["timeline"]].count("inspect") == 1


# an instant refund at a trusted buyer's return parcel's first scan (the tracking consumer), and the
# inspection that finds the wrong item in it (POST /v1/admin/returns/{id}/inspection)


def _trusted_in_transit(table: Table) -> Context:
    customer = f"cus_{ids.new_id('c')[2:10]}"
    for _ in range(3):
        done = delivered_order(table, (stocked_product(table, 2, price=1000), 1, 1000), customer=customer)
        moves.apply(table, moves.ORDER, done, Move.complete.value, by=customer)
    sku = stocked_product(table, 5, price=12900)
    order = delivered_order(table, (sku, 2, 12900), customer=customer)
    item = _ask(table, order, "no_reason")
    parcel = return_requests.ReturnParcel(carrier="sf", tracking_number=f"SFR{ids.new_id('t')[2:14]}")
    return_parcel.record_parcel(table, item, parcel, customer)
    return {"sku": sku, "order_id": order["id"], "return_id": item["id"], "customer": customer}


def _first_scan(table: Table, ctx: Context) -> object:
    return instant_refund.on_first_scan(table, ctx["return_id"])


def _check_instantly_refunded(table: Table, ctx: Context) -> None:
    item = return_store.get(table, ctx["return_id"])
    assert item is not None and item["status"] == "in_transit"
    assert (item["instant_refund"]["status"], item["instant_refund"]["amount"]) == ("issued", 12900)
    order = _check_money(table, ctx["order_id"])
    assert order["refunded"] == 12900 and [r["amount"] for r in _refunds(table, ctx["order_id"])] == [12900]
    assert instant_refunds.refunded_on(table, ctx["customer"], clock.now().date().isoformat()) == 12900
    assert [e["type"] for e in item["timeline"]].count("instant_refund_issued") == 1


def _instantly_refunded_and_received(table: Table) -> Context:
    ctx = _trusted_in_transit(table)
    assert instant_refund.on_first_scan(table, ctx["return_id"]) == "issued"
    assert return_parcel.receive(table, ctx["return_id"]) is not None
    return {**ctx, "on_hand": inventory.levels(table, ctx["sku"]).pool.on_hand}


def _inspect_wrong_item(table: Table, ctx: Context) -> object:
    body = return_requests.Inspection(
        items=[{"sku": ctx["sku"], "quantity_received": 1, "condition": "not_original"}]
    )
    return on_return(
        table, ctx["return_id"], lambda item: return_inspection.inspect(table, item, body, "adm")
    )


def _check_disputed(table: Table, ctx: Context) -> None:
    item = return_store.get(table, ctx["return_id"])
    assert item is not None and item["status"] == "closed"
    assert (item["outcome"]["shortfall"], item["outcome"]["trust_lowered"]) == (12900, True)
    order = _check_money(table, ctx["order_id"])
    assert [r["amount"] for r in _refunds(table, ctx["order_id"])] == [12900]  # nothing paid again
    kinds = [e["kind"] for e in order.get("exceptions", [])]
    assert kinds == ["instant_refund_disputed"]  # opened once
    assert inventory.levels(table, ctx["sku"]).pool.on_hand == ctx["on_hand"]  # the wrong item is no stock
    assert [e["type"] for e in item["timeline"]].count("inspect") == 1


# refund only (POST /v1/orders/{id}/returns with type refund_only): a parcel lost by its carrier, refunded at
# the request; a parcel intercepted, refunded when the carrier reports it back (the tracking consumer)


def _carrier_says(table: Table, ctx: Context, status: str, event_id: str | None = None) -> object:
    event = CarrierEvent(
        event_id=event_id or ids.new_id("ev"),
        tracking_number=ctx["tracking_number"],
        status=status,
        occurred_at=clock.now(),
    )
    return tracking.apply(table, "sf", event)


def _parcel_moving(table: Table) -> Context:
    sku = stocked_product(table, 5, price=12900)
    order = shipped_order(table, (sku, 1, 12900), customer=f"cus_{ids.new_id('c')[2:10]}")
    ctx = {"sku": sku, "order_id": order["id"], "tracking_number": order["tracking_number"]}
    _carrier_says(table, ctx, "in_transit")
    return {**ctx, "total": order["totals"]["total"]}


def _parcel_lost(table: Table) -> Context:
    ctx = _parcel_moving(table)
    _carrier_says(table, ctx, "lost")
    return {**ctx, "on_hand": inventory.levels(table, ctx["sku"]).pool.on_hand}


def _request_refund_only(table: Table, ctx: Context, units: int = 1) -> object:
    body = return_requests.ReturnRequest.model_validate(
        {"type": "refund_only", "items": [{"sku": ctx["sku"], "quantity": units}], "reason": "changed_mind"}
    )
    return on_order(table, ctx["order_id"], lambda order: after_sales.request(table, order, body, "key-ro"))


def _intercepting(table: Table) -> Context:
    ctx = _parcel_moving(table)
    _request_refund_only(table, ctx)
    # The carrier's news comes again with the same id when its delivery is retried.
    back = f"ev-back-{ctx['order_id']}"
    return {**ctx, "on_hand": inventory.levels(table, ctx["sku"]).pool.on_hand, "back": back}


def _check_cancelled_by_refund_only(table: Table, ctx: Context) -> None:
    _check_cancelled(table, ctx, "cancel")
    order = orders.get(table, ctx["order_id"])
    assert order is not None
    item = return_store.get(table, ids.derived_id("ret", order["customer_id"], "key-ro"))
    assert item is not None and (item["status"], item["route"]) == ("closed", "not_shipped")


def _check_refunded_only(restocked: int) -> Callable[[Table, Context], None]:
    def check(table: Table, ctx: Context) -> None:
        order = _check_money(table, ctx["order_id"])
        item = return_store.get(table, ids.derived_id("ret", order["customer_id"], "key-ro"))
        assert item is not None and item["status"] == "refund_pending"
        assert [r["amount"] for r in _refunds(table, ctx["order_id"])] == [ctx["total"]]  # once, in full
        assert (order["open_returns"], order["lines"][0]["return_refunded"]) == (0, 1)
        assert inventory.levels(table, ctx["sku"]).pool.on_hand == ctx["on_hand"] + restocked
        assert [e["type"] for e in item["timeline"]].count("settle") == 1

    return check


# an exchange (POST /v1/orders/{id}/returns with type exchange), approved by the rules with its replacement
# reserved; its parcel's first carrier scan, which releases the replacement to the pick queue


def _ask_exchange(table: Table, ctx: Context) -> object:
    body = return_requests.ReturnRequest.model_validate(
        {
            "type": "exchange",
            "items": [{"sku": ctx["sku"], "quantity": 1}],
            "exchange": [{"sku": ctx["sku"], "quantity": 1, "replacement_sku": ctx["replacement"]}],
            "reason": "no_reason",
        }
    )
    return on_order(table, ctx["order_id"], lambda order: after_sales.request(table, order, body, "key-ex"))


def _exchange_wanted(price: int) -> Callable[[Table], Context]:
    def prepare(table: Table) -> Context:
        return {**_delivered(table), "replacement": stocked_product(table, 3, price=price)}

    return prepare


def _exchange_of(table: Table, ctx: Context) -> Item:
    order = orders.get(table, ctx["order_id"])
    assert order is not None
    item = return_store.get(table, ids.derived_id("ret", order["customer_id"], "key-ex"))
    assert item is not None
    return item


def _check_exchange_approved(table: Table, ctx: Context) -> None:
    item = _exchange_of(table, ctx)
    assert (item["status"], item["exchange"]["state"]) == ("awaiting_parcel", "approved")
    replacement = orders.get(table, item["exchange"]["replacement_order_id"])
    assert replacement is not None and replacement["status"] == "pending_payment"
    assert replacement["totals"]["total"] == item["exchange"]["difference"] == 2000  # the difference owed
    assert inventory.levels(table, ctx["replacement"]).pool.reserved == 1  # reserved once
    order = _check_money(table, ctx["order_id"])
    assert (order["open_returns"], order["lines"][0]["return_requested"]) == (1, 1)


def _exchange_sent_back(table: Table) -> Context:
    ctx = _exchange_wanted(12900)(table)  # the same price: nothing owed, the replacement waits for the scan
    _ask_exchange(table, ctx)
    item = _exchange_of(table, ctx)
    parcel = return_requests.ReturnParcel(carrier="sf", tracking_number=f"SFR{ids.new_id('t')[2:14]}")
    return_parcel.record_parcel(table, item, parcel, item["customer_id"])
    back = f"ev-scan-{ctx['order_id']}"
    return {**ctx, "tracking_number": parcel.tracking_number, "back": back}


def _check_exchange_released(table: Table, ctx: Context) -> None:
    item = _exchange_of(table, ctx)
    assert item["exchange"]["state"] == "released"
    replacement = orders.get(table, item["exchange"]["replacement_order_id"])
    assert replacement is not None and replacement["status"] == "awaiting_fulfillment"
    assert replacement.get("queue") == "FULFILL" and not replacement.get(orders.AWAITS_PARCEL)
    assert [e["type"] for e in item["timeline"]].count("exchange_released") == 1
    assert inventory.levels(table, ctx["replacement"]).pool.reserved == 1


# an exception recorded with its resolution (POST /v1/admin/orders/{id}/exceptions)


def _record_with_refund(table: Table, ctx: Context) -> object:
    body = ExceptionInput.model_validate(
        {"kind": "damaged", "resolution": {"action": "partial_refund", "amount": 1000}}
    )
    return record(table, ctx["order_id"], body, ids.derived_id("exc", ctx["order_id"], "crash"), "adm")


def _check_exception_refunded(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert order["refunded"] == 1000
    assert [(e["status"], e["kind"]) for e in order["exceptions"]] == [("resolved", "damaged")]


# release-unpaid over two due orders (the next scheduled run is the retry)


def _two_unpaid(table: Table) -> Context:
    sku = stocked_product(table, 5)
    placed = [_placed(table, sku)["id"] for _ in range(2)]
    return {"sku": sku, "orders": placed}


def _release(table: Table, ctx: Context) -> object:
    clock.advance(31 * 60)
    try:
        return release_unpaid.run(table)
    finally:
        clock.reset()


def _check_released(table: Table, ctx: Context) -> None:
    for order_id in ctx["orders"]:
        order = orders.get(table, order_id)
        assert order is not None and order["status"] == "cancelled"
        assert [e["type"] for e in order["timeline"]].count("expire") == 1
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 0


# an order edit (POST /v1/orders/{id}/edits): lowering a paid total, raising it (held for its balance), the
# balance paid (the payment webhook), and an unpaid balance lapsing (release-unpaid)


def _edit(table: Table, ctx: Context, quantity: int, more: tuple[str, int] | None = None) -> object:
    lines = [{"sku": ctx["sku"], "quantity": quantity}] + (
        [{"sku": more[0], "quantity": more[1]}] if more else []
    )
    body = OrderEditRequest.model_validate({"lines": lines})
    return on_order(
        table,
        ctx["order_id"],
        lambda order: order_edits.commit(table, order, body, f"edt_{ctx['order_id']}", "cus"),
    )


def _check_edited_lower(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [(ctx["sku"], 1)]
    assert order["refunded"] == ctx["total"] - order["totals"]["total"] > 0  # the difference, once
    assert len(_refunds(table, ctx["order_id"])) == 1 and len(order["edits"]) == 1
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 1  # one unit given back, once


def _paid_with_a_pot(table: Table) -> Context:
    return {**_paid_order(table), "pot": stocked_product(table, 3, price=9900)}


def _check_held_for_balance(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert order["pending_edit"]["balance"] == order["pending_edit"]["total"] - ctx["total"] > 0
    assert [line["quantity"] for line in order["lines"]] == [2] and len(order["edits"]) == 1
    assert inventory.levels(table, ctx["pot"]).pool.reserved == 1  # held once
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 2  # kept until the balance is paid


def _awaiting_balance(table: Table) -> Context:
    ctx = _paid_with_a_pot(table)
    _edit(table, ctx, 1, (ctx["pot"], 1))
    order = orders.get(table, ctx["order_id"])
    assert order is not None
    return {**ctx, "balance": order["pending_edit"]["balance"]}


def _pay_balance(table: Table, ctx: Context) -> object:
    event = payments.PaymentEvent(
        event_id=f"evt_{ctx['order_id']}_balance",
        type="payment.succeeded",
        order_id=ctx["order_id"],
        payment_id=f"pay_{ctx['order_id']}_balance",
        amount=ctx["balance"],
        currency="CNY",
        occurred_at=clock.now(),
    )
    return payments.handle(table, event)


def _check_balance_applied(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert "pending_edit" not in order and order["captured"] == ctx["total"] + ctx["balance"]
    assert [e["state"] for e in order["edits"]] == ["balance_paid"]
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 1  # the removed unit given back, once
    assert inventory.levels(table, ctx["pot"]).pool.reserved == 1


def _lapse_balance(table: Table, ctx: Context) -> object:
    """What release-unpaid does for this order once its edit's balance is due (other orders left out)."""
    clock.advance(25 * 3600)
    try:
        order = orders.get(table, ctx["order_id"])
        assert order is not None
        if not order.get("pending_edit"):
            return "already lapsed"  # the retry finds it done, as the job's next run would
        return order_edits.lapse(table, order, "system:release-unpaid")
    finally:
        clock.reset()


def _check_lapsed(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert "pending_edit" not in order and [e["state"] for e in order["edits"]] == ["lapsed"]
    assert [line["quantity"] for line in order["lines"]] == [2] and order["captured"] == ctx["total"]
    assert inventory.levels(table, ctx["pot"]).pool.reserved == 0  # the held unit back, once
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 2


# a presale: its deposit paid (the payment webhook), and its balance never coming (release-unpaid at the
# window's close)


def _presale_placed(table: Table) -> Context:
    start = clock.now()
    deposit = PresaleDeposit(
        amount=2000, balance_opens_at=start + timedelta(days=1), balance_closes_at=start + timedelta(days=2)
    )
    sku = stocked_product(table, 5, price=19900, deposit=deposit)
    order = _placed(table, sku, 1, 19900)
    return {"sku": sku, "order_id": order["id"], "total": order["totals"]["total"]}


def _pay_deposit(table: Table, ctx: Context) -> object:
    return payments.handle(
        table,
        payments.PaymentEvent(
            event_id=f"evt_{ctx['order_id']}_deposit",
            type="payment.succeeded",
            order_id=ctx["order_id"],
            payment_id=f"pay_{ctx['order_id']}_deposit",
            amount=2000,
            currency="CNY",
            occurred_at=clock.now(),
        ),
    )


def _check_deposit_paid(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert (order["status"], order["captured"]) == ("awaiting_balance", 2000)
    assert [e["type"] for e in order["timeline"]].count("pay_deposit") == 1
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 1


def _deposit_paid(table: Table) -> Context:
    ctx = _presale_placed(table)
    assert _pay_deposit(table, ctx) == "deposit_paid"
    return ctx


def _balance_never_comes(table: Table, ctx: Context) -> object:
    """The close of the window for this order alone (what release-unpaid does for each one due)."""
    clock.advance(3 * 86400)
    try:
        return on_order(
            table,
            ctx["order_id"],
            lambda order: cancellation.cancel(
                table, order, by="system", reason="balance_unpaid", move_kind=Move.expire
            ),
        )
    finally:
        clock.reset()


def _check_balance_unpaid(table: Table, ctx: Context) -> None:
    order = _check_money(table, ctx["order_id"])
    assert (order["status"], order["deposit_kept"], order["refunded"]) == ("cancelled", 2000, 0)
    assert _refunds(table, ctx["order_id"]) == []
    assert inventory.levels(table, ctx["sku"]).pool.reserved == 0  # released once
    assert inventory.levels(table, ctx["sku"]).pool.on_hand == 5


STEPS = [
    Step("cancel a paid order", 1, _paid_order, _cancel, lambda t, c: _check_cancelled(t, c, "cancel")),
    Step("reject a held order", 1, _held_order, _reject, lambda t, c: _check_cancelled(t, c, "reject")),
    Step("refund.failed webhook", 3, _cancelled_with_pending_refund, _refund_failed, _check_refund_attempted_again),
    Step("refund refused by the provider", 3, _cancelled_with_pending_refund, _process_refusal, _check_refund_attempted_again),
    Step("request a return", 2, _delivered, _request_return, _check_requested),
    Step("reject a return", 1, _under_review, _reject_return, _check_units_free("rejected", held=1)),
    Step("cancel a return", 1, _approved, _cancel_return, _check_units_free("cancelled")),
    Step("lapse a return", 1, _approved, _lapse, _check_units_free("lapsed")),
    Step("accept a partial refund", 2, _rejected_with_partial_refund, _accept_partial_refund, _check_partial_refund),
    Step("inspect a return and refund", 3, _in_transit, _inspect, _check_inspected),
    Step("record an exception with a refund", 2, _paid_order, _record_with_refund, _check_exception_refunded),
    Step("instant refund at the first scan", 1, _trusted_in_transit, _first_scan, _check_instantly_refunded),
    Step("inspect an instantly refunded return", 2, _instantly_refunded_and_received, _inspect_wrong_item, _check_disputed),
    Step("refund only, an order not shipped", 1, _paid_order, lambda t, c: _request_refund_only(t, c, 2), _check_cancelled_by_refund_only),
    Step("refund only, a lost parcel", 3, _parcel_lost, _request_refund_only, _check_refunded_only(0)),
    Step("refund only, a parcel back", 4, _intercepting, lambda t, c: _carrier_says(t, c, "returned_to_sender", c["back"]), _check_refunded_only(1)),
    Step("request an exchange", 2, _exchange_wanted(14900), _ask_exchange, _check_exchange_approved),
    Step("an exchange's parcel first scanned", 2, _exchange_sent_back, lambda t, c: _carrier_says(t, c, "in_transit", c["back"]), _check_exchange_released),
    Step("release-unpaid, two orders", 2, _two_unpaid, _release, _check_released),
    Step("edit lowering a paid total", 2, _paid_order, lambda t, c: _edit(t, c, 1), _check_edited_lower),
    Step("edit raising a paid total", 1, _paid_with_a_pot, lambda t, c: _edit(t, c, 1, (c["pot"], 1)), _check_held_for_balance),
    Step("an edit's balance paid", 1, _awaiting_balance, _pay_balance, _check_balance_applied),
    Step("an edit's balance lapsing", 1, _awaiting_balance, _lapse_balance, _check_lapsed),
    Step("a presale deposit", 1, _presale_placed, _pay_deposit, _check_deposit_paid),
    Step("a presale balance never paid", 1, _deposit_paid, _balance_never_comes, _check_balance_unpaid),
]  # fmt: skip
CASES = [pytest.param(step, n, id=f"{step.name}, crash after write {n}") for step in STEPS for n in range(1, step.writes + 1)]  # fmt: skip


@pytest.fixture(scope="module")
def world(local_worlds: Worlds, engine: str) -> Iterator[Cloud]:
    """The local cloud, emptied once for the module: every case builds its own products and orders."""
    stack = local_worlds.get(engine)
    stack.local.reset(resume_pollers=False)
    try:
        yield stack.cloud
    finally:
        stack.local.resume_pollers()


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, str]]]:
    """Every domain event published: (type, event_id, order or return)."""
    seen: list[tuple[str, str, str]] = []
    publish = events.publish

    def recording(event: DomainEvent, event_id: str) -> None:
        publish(event, event_id)
        subject = getattr(event, "return_id", None) or event.order_id
        seen.append((event.detail_type(), event_id, str(subject)))

    monkeypatch.setattr(events, "publish", recording)
    yield seen


@pytest.fixture
def refusing_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(refund_step, "provider", _RefusingProvider)


def _run_as_its_caller(step: Step, table: Table, ctx: Context) -> None:
    """A retry may hear that the work is done already (a 4xx for an API client): the state is what counts."""
    try:
        step.run(table, ctx)
    except Problem as answer:
        assert answer.status < 500, answer


def _check_events_once(published: list[tuple[str, str, str]]) -> None:
    # The same fact always has the same event id (consumers dedupe on it): a retry never makes it new.
    ids_per_fact: dict[tuple[str, str], set[str]] = {}
    for detail_type, event_id, subject in published:
        ids_per_fact.setdefault((detail_type, subject), set()).add(event_id)
    assert all(len(found) == 1 for found in ids_per_fact.values()), ids_per_fact


@pytest.mark.parametrize("step", [pytest.param(s, id=s.name) for s in STEPS])
def test_each_step_makes_the_writes_declared(
    world: Cloud, step: Step, published: list[Any], refusing_provider: None
) -> None:
    table = Table()
    ctx = step.prepare(table)
    with faults.count_writes() as counted:
        step.run(table, ctx)
    assert len(counted.writes) == step.writes, counted.writes
    step.check(table, ctx)


@pytest.mark.parametrize(("step", "n"), CASES)
def test_a_crash_after_any_write_then_a_retry_leaves_it_consistent(
    world: Cloud, step: Step, n: int, published: list[tuple[str, str, str]], refusing_provider: None
) -> None:
    table = Table()
    ctx = step.prepare(table)
    del published[:]
    with faults.crash_after_write(n) as crash, pytest.raises(faults.InjectedCrash):
        step.run(table, ctx)
    assert crash.crashed
    _run_as_its_caller(step, table, ctx)
    step.check(table, ctx)
    _check_events_once(published)
