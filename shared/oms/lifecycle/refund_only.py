"""Refund only (仅退款): the request, the carrier's interception, and the refund that settles it.

Rules in :mod:`oms.domain.refund_only`. What is owed is recorded first, with the order's refunded units
(``settle``: the return becomes ``refund_due``); the refund then starts in the transaction that makes the
return wait for it. A run that dies in between leaves ``refund_due``, which the same request again, the
carrier's repeated news or staff's repeated decision finish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oms import clock, events, ids
from oms.domain import refund_only as rules
from oms.event_catalogue import ReturnIntercepting, ReturnInterceptionFailed
from oms.interception_port import interceptor
from oms.lifecycle import cancellation
from oms.lifecycle.returns import (
    QUEUE_FIELDS,
    check_units,
    hold_for_review,
    new_return,
    record_request,
    request_id,
)
from oms.lifecycle.returns import restock as restock_returned
from oms.problems import Conflict, FieldError, ValidationProblem
from oms.store import keys, moves, orders, refunds, shipments
from oms.store import returns as store
from oms.store.table import Item, Table

if TYPE_CHECKING:
    from oms.api.return_requests import ReturnRequest

ACTOR = "system:refund-only"
TYPE = "refund_only"


def request(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    """Check where the goods are, record the request and act on it at once."""
    recorded = store.get(table, request_id(order, key)) if key else None
    if recorded is None and rules.check_shipped(order, _asked(body)) is rules.Route.not_shipped:
        return _cancel_unshipped(table, order, body, key)
    item = record_request(table, order, body, key, lambda: _check(table, order, body))
    return review(table, item)


def _asked(body: ReturnRequest) -> dict[str, int]:
    asked: dict[str, int] = {}
    for line in body.items:
        asked[line.sku] = asked.get(line.sku, 0) + line.quantity
    return asked


def _check(table: Table, order: Item, body: ReturnRequest) -> tuple[dict[str, int], dict[str, Any]]:
    """The units asked back, and the route the request takes with the parcels it concerns."""
    units = check_units(table, order, body, received=order["status"] in rules.DELIVERED)
    plan = rules.plan(order, shipments.of_order(table, order["id"]), units, body.requested_amount)
    fields: dict[str, Any] = {"route": plan.route.value, "parcels": list(plan.parcels)}
    if plan.route is rules.Route.kept:
        assert body.requested_amount is not None  # the plan asks for it
        items = [{"sku": sku, "quantity": n} for sku, n in units.items()]
        rules.check_amount(order, items, body.requested_amount)
        fields["requested_amount"] = body.requested_amount
    return units, fields


def _cancel_unshipped(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    """Nothing has shipped: the order is cancelled as its buyer would cancel it (refunded, stock back), and
    the request is recorded settled, in the same transaction."""
    if body.requested_amount is not None:
        raise ValidationProblem(
            "Goods not shipped are refunded in full: leave out requested_amount.",
            code="amount_not_allowed",
            errors=[FieldError("requested_amount", "only for delivered goods the buyer keeps")],
        )
    item = new_return(order, body, _asked(body), request_id(order, key))
    now = clock.now_iso()
    refunded = {"refund_id": cancellation.refund_id(order["id"])} if order.get("refundable") else {}
    item.update(
        route=rules.Route.not_shipped.value,
        parcels=[],
        status="closed",
        outcome={"order_cancelled": True, **refunded},
        timeline=[*item["timeline"], {"at": now, "type": "close", "by": ACTOR, "note": "order cancelled"}],
    )
    # As the buyer's own cancellation: under the same terms (a presale's deposit; not an exchange's
    # replacement on its own).
    cancellation.cancel_by_buyer(table, order, order["customer_id"], also=[store.put_settled(item)])
    return item


def review(table: Table, item: Item) -> Item:
    """Act on a request as its route says (the review-return step runs it again, idempotently)."""
    if item["status"] == "refund_due":
        return _start_refund(table, item, ACTOR)
    if item["status"] != "requested":
        return item
    match rules.Route(item["route"]):
        case rules.Route.lost:
            return settle(table, item, by=ACTOR, note="the carrier lost the parcel")
        case rules.Route.intercept:
            return _intercept(table, item)
        case _:  # kept
            return hold_for_review(table, item)


def _parcels(table: Table, item: Item) -> list[Item]:
    found = [table.get(*keys.shipment(item["order_id"], p)) for p in item.get("parcels", [])]
    return [p for p in found if p is not None]


def _intercept(table: Table, item: Item) -> Item:
    """Ask the carrier to bring every parcel back; when it refuses, a person decides."""
    parcels = _parcels(table, item)
    port = interceptor()
    answers = {p["id"]: port.intercept(p, f"{item['id']}:{p['id']}") for p in parcels}
    refused = {pid: a.reason for pid, a in answers.items() if not a.accepted}
    now = clock.now_iso()
    if refused:
        failed = {"status": "refused", "refused": refused, "at": now}
        held = hold_for_review(table, item, interception=failed)
        events.publish(ReturnInterceptionFailed.about(held), f"{item['id']}:interception_failed")
        return held
    interception = {
        "status": "requested",
        "references": {p: a.reference for p, a in answers.items()},
        "at": now,
    }
    marks = [shipments.mark_intercepted(p, item["id"], rules.INTERCEPTABLE) for p in parcels]
    intercepting = moves.apply(
        table,
        moves.RETURN,
        item,
        "intercept",
        by=ACTOR,
        set_fields={"interception": interception},
        also=marks,
    )
    events.publish(ReturnIntercepting.moved(intercepting), f"{item['id']}:intercepting")
    return intercepting


def on_parcel_news(table: Table, order_id: str, shipment_id: str) -> Item | None:
    """An outbound parcel reached an end (called from tracking): settle the return that intercepted it once
    every parcel is back, or hand it to staff when one was delivered after all."""
    shipment = table.get(*keys.shipment(order_id, shipment_id))
    if shipment is None or not shipment.get("intercepted_for"):
        return None
    item = store.get(table, shipment["intercepted_for"])
    if item is None:
        return None
    if item["status"] == "refund_due":
        return _start_refund(table, item, ACTOR)
    if item["status"] != "intercepting":
        return item
    statuses = {p["status"] for p in _parcels(table, item)}
    if statuses == {"returned_to_sender"}:
        return settle(table, item, by=ACTOR, note="the carrier brought the parcel back", restock=True)
    if "delivered" in statuses:
        failed = {**item["interception"], "status": "failed", "failed_at": clock.now_iso()}
        held = hold_for_review(table, item, interception=failed)
        events.publish(ReturnInterceptionFailed.about(held), f"{item['id']}:interception_failed")
        return held
    return item


def approve(table: Table, item: Item, by: str, reason: str) -> Item:
    """Staff accept a refund-only request held for them: what the buyer asked, or everything when nothing
    came (an interception that failed: the buyer refuses the parcel or sends it back as a return)."""
    if item["status"] != "under_review":
        raise Conflict(f"A return that is {item['status']} cannot approve.", code="invalid_transition")
    return settle(table, item, by=by, note=reason)


def _owed(order: Item, item: Item) -> tuple[int, dict[str, int]]:
    if rules.Route(item["route"]) is rules.Route.kept:
        amount = min(int(item["requested_amount"]), int(order.get("refundable", 0)))
        return amount, {}  # the goods stay with the buyer: no unit is paid back in full
    return rules.owed(order, {i["sku"]: i["quantity"] for i in item["items"]})


def settle(table: Table, item: Item, *, by: str, note: str, restock: bool = False) -> Item:
    """Record what is owed (and put intercepted goods back in stock), then start the refund."""
    order = orders.get_for(table, item["order_id"], None)
    amount, units = _owed(order, item)
    if restock:
        returned = {i["sku"]: i["quantity"] for i in item["items"]}
        restock_returned(table, order, item["id"], returned, "intercepted")
    settlement = {"amount": amount, "units": units, "restocked": restock, "note": note, "by": by}
    settled = moves.apply(
        table,
        moves.RETURN,
        item,
        "settle",
        by=by,
        set_fields={"settlement": settlement},
        remove=QUEUE_FIELDS,
        also=[store.order_lines(order, "return_refunded", units, -1)],
    )
    return _start_refund(table, settled, by)


def _start_refund(table: Table, item: Item, by: str) -> Item:
    amount = int(item["settlement"]["amount"])
    if amount <= 0:
        return moves.apply(table, moves.RETURN, item, "close", by=by, set_fields={"outcome": {"refund": 0}})
    order = orders.get_for(table, item["order_id"], None)
    refund_id = ids.derived_id("ref", item["id"], TYPE)
    waiting, pending = moves.move(
        moves.RETURN, item, "refund", by=by, set_fields={"refund": {"refund_id": refund_id, "amount": amount}}
    )
    refunds.start(
        table, order, refund_id, amount, rules.REFUND_REASON, by, return_id=item["id"], also=[waiting]
    )
    return pending
