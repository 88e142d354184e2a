"""Returns ("退货管理规范"): request, review, parcel, inspection, refund and restock.

Each use case reads, decides with ``domain.return_policy`` / ``domain.returns`` and writes once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from oms import clock, events, ids
from oms.config import require, settings
from oms.domain import return_policy as rules
from oms.domain.carriers import CarrierCode
from oms.domain.catalog import SKU_PATTERN
from oms.domain.returns import (
    DISPUTED_CONDITIONS,
    REFUNDED_CONDITIONS,
    Condition,
    next_return_status,
    refund_for_units,
)
from oms.lifecycle.shipping import TRACKING_PATTERN
from oms.problems import Conflict, FieldError, Problem, ValidationProblem
from oms.store import catalog, inventory, orders, refunds, shipments
from oms.store import returns as store
from oms.store.table import Item, Table, TransactionCancelled
from oms.store.transitions import LostRace

require("RETURN_REVIEW_SLA_HOURS", "RETURN_SHIPPING_PAYER", by=__name__)

ReturnAction = Callable[[Table, Item], Item]
RETURN_REVIEW_SLA = "return_review_sla"
RETURN_SHIP_BY = "return_ship_by"
INSPECT_QUEUE = "INSPECT"  # parcels on their way back or arrived, waiting for inspection: oldest first
URL = r"^https://[^\s]{1,500}$"
# Evidence and message attachments: links the console shows staff, so https and nothing else.
HttpsUrl = Annotated[str, StringConstraints(pattern=URL)]


def policy() -> rules.ReturnPolicy:
    s = settings()
    return rules.ReturnPolicy(
        review_sla_hours=s.return_review_sla_hours,
        preference_shipping_payer=rules.ShippingPayer(s.return_shipping_payer),
    )


class ReturnLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity: StrictInt = Field(ge=1, le=999)


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ReturnLine] = Field(min_length=1, max_length=30)
    reason: rules.Reason
    description: str | None = Field(None, max_length=2000)
    evidence: list[HttpsUrl] = Field(default_factory=list, max_length=10)
    refund_method: rules.RefundMethod = rules.RefundMethod.original_payment


def _profile(table: Table, sku: str, line: Item) -> rules.ItemProfile:
    product = catalog.get_product(table, sku)
    fields = product.model_dump() if product else {"sku": sku, "flags": line.get("flags", [])}
    return rules.ItemProfile.model_validate(fields)


def eligibility(table: Table, order: Item) -> list[dict[str, Any]]:
    """Per item: may it be returned now, under which reasons, until when, who would pay shipping."""
    delivered_at = order.get("delivered_at")
    policy_now = policy()
    answer = []
    for line in order["lines"]:
        left = line.get("shipped", 0) - line.get("return_requested", 0)
        entry: dict[str, Any] = {"sku": line["sku"], "returnable_quantity": max(left, 0), "reasons": []}
        if delivered_at and left > 0:
            profile = _profile(table, line["sku"], line)
            for reason in rules.Reason:
                if rules.refusal(reason, profile, clock.parse(delivered_at), clock.now(), policy_now) is None:
                    entry["reasons"].append(
                        {
                            "reason": reason.value,
                            "until": clock.iso(
                                rules.deadline(reason, profile, clock.parse(delivered_at), policy_now)
                            ),
                            "shipping_payer": rules.shipping_payer(reason, policy_now).value,
                            "evidence_required": reason in policy_now.evidence_required_for,
                        }
                    )
        entry["eligible"] = bool(entry["reasons"])
        answer.append(entry)
    return answer


def _not_eligible(detail: str, errors: list[FieldError], reason: rules.Reason, code: str | None) -> Problem:
    return Problem(
        detail,
        code="return_not_eligible",
        status=422,
        title="This return cannot be accepted",
        errors=errors,
        extra={"alternatives": [a.value for a in rules.alternatives(reason, code)]},
    )


def request_return(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    """Check the request against the policy and record it, decided by the rules when they can."""
    if not order.get("delivered_at") or order["status"] not in ("delivered", "completed"):
        raise _not_eligible("Only delivered orders can be returned.", [], body.reason, "not_delivered")
    policy_now = policy()
    by_sku = {line["sku"]: line for line in order["lines"]}
    wanted: dict[str, int] = {}
    errors: list[FieldError] = []
    refusal_code = None
    for i, asked in enumerate(body.items):
        line = by_sku.get(asked.sku)
        if line is None:
            errors.append(FieldError(f"items[{i}].sku", "is not in this order", {"code": "not_in_order"}))
            continue
        left = line.get("shipped", 0) - line.get("return_requested", 0) - wanted.get(asked.sku, 0)
        if asked.quantity > left:
            errors.append(
                FieldError(
                    f"items[{i}].quantity",
                    f"only {max(left, 0)} can still be returned",
                    {"code": "return_quantity_exceeded", "returnable_quantity": max(left, 0)},
                )
            )
            continue
        code = rules.refusal(
            body.reason,
            _profile(table, asked.sku, line),
            clock.parse(order["delivered_at"]),
            clock.now(),
            policy_now,
        )
        if code:
            refusal_code = code
            errors.append(FieldError(f"items[{i}].sku", REFUSALS[code], {"code": code, "sku": asked.sku}))
            continue
        wanted[asked.sku] = wanted.get(asked.sku, 0) + asked.quantity
    if errors:
        raise _not_eligible(
            "The return policy does not allow this request; see errors and alternatives.",
            errors,
            body.reason,
            refusal_code,
        )

    return_id = ids.derived_id("ret", order["customer_id"], key) if key else ids.new_id("ret")
    now = clock.now()
    items = []
    for sku, quantity in wanted.items():
        line = by_sku[sku]
        items.append(
            {"sku": sku, "name": line["name"], "quantity": quantity, "unit_price": line["unit_price"]}
        )
    item: Item = {
        "pk": store.return_key(return_id)[0],
        "sk": "RETURN",
        "id": return_id,
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        "status": "requested",
        "version": 1,
        "items": items,
        "reason": body.reason.value,
        "description": body.description,
        "evidence": body.evidence,
        "refund_method": body.refund_method.value,
        "shipping_payer": rules.shipping_payer(body.reason, policy_now).value,
        "requested_at": clock.iso(now),
        "messages": [],
        "timeline": [{"at": clock.iso(now), "type": "requested", "by": order["customer_id"]}],
        "customer_key": store.customer_returns(order["customer_id"]),
        "created_key": f"{clock.iso(now)}#{return_id}",
        "channel": order["channel"],
        "category": [by_sku[s].get("category") for s in wanted],
    }
    lines = [
        {**line, "return_requested": line.get("return_requested", 0) + wanted.get(line["sku"], 0)}
        for line in order["lines"]
    ]
    if not store.create(table, item, order, lines):
        item = store.get_for(table, return_id, order["customer_id"])
        if item["status"] != "requested":
            return item  # the same request again, decided already
        # else the first run died before announcing and deciding it: finish that (same event id)
    events.publish(
        "ReturnRequested",
        f"{return_id}:requested",
        {
            "order_id": order["id"],
            "return_id": return_id,
            "customer_id": order["customer_id"],
            "reason": body.reason.value,
        },
    )
    # The rules answer the shopper at once; the return-lifecycle workflow's review-return step runs the
    # same idempotent review, so a request whose answer was lost mid-way is still decided.
    return review_by_rules(table, return_id, item)


def review_by_rules(table: Table, return_id: str, item: Item | None = None) -> Item:
    """The review-return step: approve what the policy clearly allows, queue the rest for a person."""
    for _ in range(5):
        current = item or store.get(table, return_id)
        item = None
        if current is None:
            raise Conflict(f"No return {return_id}.", code="return_not_found")
        if current["status"] != "requested":
            return current  # decided already
        policy_now = policy()
        decision = rules.auto_decision(
            rules.Reason(current["reason"]), current.get("evidence", []), None, policy_now
        )
        try:
            if decision == "approve":
                return approve(table, current, by="system:return-rules", reason="the policy allows it")
            due = clock.iso(clock.now() + timedelta(hours=policy_now.review_sla_hours))
            return store.move(
                table,
                current,
                "hold_for_review",
                by="system:return-rules",
                set_fields={
                    "review_due_at": due,
                    "queue": "REVIEW",
                    "queue_key": f"{due}#{return_id}",
                    "timer_kind": RETURN_REVIEW_SLA,
                    "due_at": due,
                },
            )
        except LostRace:
            continue
    raise Conflict("The return is changing right now; retry.", code="return_busy")


REFUSALS = {
    "excluded_product": "this product cannot be returned for this reason",
    "window_expired": "the return window for this reason has passed",
}


def instructions(item: Item) -> dict[str, Any]:
    """What the buyer needs to send the parcel back ("退货物流")."""
    policy_now = policy()
    value = sum(i["unit_price"] * i["quantity"] for i in item["items"])
    return {
        "return_address": policy_now.return_address,
        "packing": policy_now.packing,
        "recommended_carrier": policy_now.recommended_carrier,
        "insurance_advised": value > policy_now.insure_above,
        "ship_within_days": policy_now.ship_within_days,
        "shipping_payer": item["shipping_payer"],
    }


def approve(table: Table, item: Item, *, by: str, reason: str) -> Item:
    ship_by = clock.now() + timedelta(days=policy().ship_within_days)
    approved = store.move(
        table,
        item,
        "approve",
        by=by,
        set_fields={
            "decision": {"decision": "approve", "reason": reason, "by": by, "at": clock.now_iso()},
            "instructions": instructions(item),
            "timer_kind": RETURN_SHIP_BY,
            "due_at": clock.iso(ship_by),
        },
        remove=("queue", "queue_key"),
    )
    events.publish(
        "ReturnApproved",
        f"{item['id']}:approved",
        {"order_id": item["order_id"], "return_id": item["id"], "customer_id": item["customer_id"]},
    )
    return approved


class ReturnDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=1, max_length=500)
    alternative: rules.Alternative | None = None
    partial_refund_amount: StrictInt | None = Field(None, gt=0)


def decide(table: Table, item: Item, body: ReturnDecision, by: str) -> Item:
    if body.decision == "approve":
        return approve(table, item, by=by, reason=body.reason)
    if body.alternative is None:
        raise ValidationProblem(
            "A refusal must offer an alternative.",
            code="alternative_required",
            errors=[FieldError("alternative", "choose exchange, repair or partial_refund")],
        )
    if body.alternative is rules.Alternative.partial_refund and not body.partial_refund_amount:
        raise ValidationProblem(
            "A partial refund needs an amount.",
            code="amount_required",
            errors=[FieldError("partial_refund_amount", "is required for a partial refund")],
        )
    order = orders.get_for(table, item["order_id"], None)
    if body.alternative is rules.Alternative.partial_refund and body.partial_refund_amount:
        most = partial_refund_cap(order, item)
        if body.partial_refund_amount > most:
            raise ValidationProblem(
                f"A partial refund of these units can be at most {most}.",
                code="amount_too_large",
                errors=[
                    FieldError(
                        "partial_refund_amount",
                        f"must be at most {most}",
                        {"code": "amount_too_large", "maximum": most},
                    )
                ],
            )
    rejected = store.move(
        table,
        item,
        "reject",
        by=by,
        set_fields={
            "decision": {
                "decision": "reject",
                "reason": body.reason,
                "by": by,
                "at": clock.now_iso(),
                "alternative": body.alternative.value,
                "partial_refund_amount": body.partial_refund_amount,
            }
        },
        remove=("queue", "queue_key", "timer_kind", "due_at"),
        # The units stay held while the alternative stands: what the buyer accepts settles them, so
        # they cannot be returned again; declining the offer frees them (decline_alternative).
        extra_ops=[store.order_lines_op(order, "return_requested", {}, -1)],
    )
    events.publish(
        "ReturnRejected",
        f"{item['id']}:rejected",
        {
            "order_id": item["order_id"],
            "return_id": item["id"],
            "customer_id": item["customer_id"],
            "alternative": body.alternative.value,
        },
    )
    return rejected


def _release_units_op(table: Table, item: Item) -> dict[str, Any]:
    """A return that will not come back frees its units for another request and stops holding the order:
    in the transaction of its move, so a run that dies after the move cannot leave them held."""
    order = orders.get_for(table, item["order_id"], None)
    return store.order_lines_op(
        order, "return_requested", {i["sku"]: -i["quantity"] for i in item["items"]}, -1
    )


def partial_refund_cap(order: Item, item: Item) -> int:
    """The most a partial refund of a return's units may be: what they were paid for, and no more than
    is still refundable on the order."""
    by_sku = {line["sku"]: line for line in order["lines"]}
    worth = sum(refund_for_units(by_sku[i["sku"]], 0, int(i["quantity"])) for i in item["items"])
    return max(0, min(worth, int(order.get("refundable", 0))))


def decline_alternative(table: Table, item: Item, by: str) -> Item:
    """The buyer turns down what the refusal offered: the return closes and its units are free again."""
    alternative = (item.get("decision") or {}).get("alternative")
    if item["status"] != "rejected" or not alternative:
        raise Conflict("There is no alternative to decline on this return.", code="invalid_transition")
    order = orders.get_for(table, item["order_id"], None)
    release = store.order_lines_op(
        order, "return_requested", {i["sku"]: -i["quantity"] for i in item["items"]}, 0
    )
    closed = store.move(
        table, item, "close", by=by, set_fields={"outcome": {"declined": alternative}}, extra_ops=[release]
    )
    _announce_closed(item, "declined")
    return closed


def accept_alternative(table: Table, item: Item, by: str) -> Item:
    """The buyer takes what the refusal offered: a partial refund, an exchange or a repair."""
    decision = item.get("decision") or {}
    alternative = decision.get("alternative")
    if item["status"] != "rejected" or not alternative:
        raise Conflict("There is no alternative to accept on this return.", code="invalid_transition")
    order = orders.get_for(table, item["order_id"], None)
    if alternative == "partial_refund":
        refund_id = ids.derived_id("ref", item["id"], "partial")
        # None from start() means a run that died before closing started it already: same id.
        refunds.start(
            table, order, refund_id, int(decision["partial_refund_amount"]), "return_partial_refund", by
        )
        outcome: dict[str, Any] = {"alternative": "partial_refund", "refund_id": refund_id}
    elif alternative == "exchange":
        replacement = orders.place_replacement(table, order, item["items"], item["id"])
        outcome = {"alternative": "exchange", "replacement_order_id": replacement["id"]}
    else:
        outcome = {"alternative": "repair", "instructions": instructions(item)}
    closed = store.move(table, item, "close", by=by, set_fields={"outcome": outcome})
    _announce_closed(item, alternative)
    return closed


def _announce_closed(item: Item, outcome: str) -> None:
    events.publish(
        "ReturnClosed",
        f"{item['id']}:closed",
        {
            "order_id": item["order_id"],
            "return_id": item["id"],
            "customer_id": item["customer_id"],
            "outcome": outcome,
        },
    )


class ReturnParcel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    carrier: CarrierCode
    tracking_number: str = Field(pattern=TRACKING_PATTERN)


def record_parcel(table: Table, item: Item, body: ReturnParcel, by: str) -> Item:
    order = orders.get_for(table, item["order_id"], None)
    parcel = shipments.new_shipment(
        order,
        ids.derived_id("shp", item["id"], body.carrier, body.tracking_number),
        body.carrier,
        body.tracking_number,
        [{"sku": i["sku"], "quantity": i["quantity"]} for i in item["items"]],
        kind=shipments.RETURN_KIND,
    )
    parcel["return_id"] = item["id"]
    sent_at = clock.now_iso()
    ops = shipments.create_ops(parcel)
    try:
        return store.move(
            table,
            item,
            "ship",
            by=by,
            set_fields={
                "parcel": {
                    "carrier": body.carrier,
                    "tracking_number": body.tracking_number,
                    "shipment_id": parcel["id"],
                    "at": sent_at,
                },
                "queue": INSPECT_QUEUE,
                "queue_key": f"{sent_at}#{item['id']}",
            },
            remove=("timer_kind", "due_at"),
            extra_ops=ops,
        )
    except TransactionCancelled as cancelled:
        # Only this order's own returns can hold the number (the index is filed per order): the answer
        # says nothing about anyone else's parcels.
        raise Conflict(
            f"Tracking number {body.tracking_number} is already used for another return of this order.",
            code="tracking_number_in_use",
        ) from cancelled


def receive(table: Table, return_id: str) -> Item | None:
    """The carrier delivered the parcel back (called from tracking)."""
    item = store.get(table, return_id)
    if item is None or item["status"] != "in_transit":
        return None
    now = clock.now()
    due = now + timedelta(hours=settings().return_inspection_sla_hours)
    received = store.move(
        table,
        item,
        "receive",
        by="carrier",
        set_fields={"received_at": clock.iso(now), "inspection_due_at": clock.iso(due)},
    )
    _announce("ReturnReceived", received)
    return received


class InspectedLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity_received: StrictInt = Field(ge=0, le=999)
    condition: Condition


class Inspection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[InspectedLine] = Field(min_length=1, max_length=30)
    notes: str | None = Field(None, max_length=2000)


def inspect(table: Table, item: Item, body: Inspection, by: str) -> Item:
    """Check what came back; resellable goes back to stock, damaged is written off, the rest is disputed.

    The refund covers what came back as returned (resellable or damaged), at the price paid after the
    discount share, plus the original shipping fee when the merchant is at fault for the whole order.
    """
    if item["status"] == "inspected":  # a run that died after recording the inspection: settle it
        return _settle_inspection(table, item, by)
    # Refuse a move out of turn (a cancelled or refused return) before any stock is put back.
    next_return_status(item["status"], "inspect")
    asked = {i["sku"]: i["quantity"] for i in item["items"]}
    errors = []
    for n, line in enumerate(body.items):
        if line.sku not in asked:
            errors.append(FieldError(f"items[{n}].sku", "is not in this return"))
    if errors:
        raise ValidationProblem(
            "The inspection does not match the return.", code="invalid_inspection", errors=errors
        )
    order = orders.get_for(table, item["order_id"], None)
    by_sku = {line["sku"]: line for line in order["lines"]}
    refund_amount = 0
    disputed: list[dict[str, Any]] = []
    refunded_units: dict[str, int] = {}
    received: dict[str, int] = {}
    restock: dict[str, int] = {}
    for line in body.items:
        # Never count more units than the return asked for, however the lines are split.
        counted = min(line.quantity_received, asked[line.sku] - received.get(line.sku, 0))
        received[line.sku] = received.get(line.sku, 0) + counted
        if line.condition in REFUNDED_CONDITIONS and counted:
            order_line = by_sku[line.sku]
            before = order_line.get("return_refunded", 0) + refunded_units.get(line.sku, 0)
            refund_amount += refund_for_units(order_line, before, counted)
            refunded_units[line.sku] = refunded_units.get(line.sku, 0) + counted
        if line.condition is Condition.resellable and counted:
            restock[line.sku] = restock.get(line.sku, 0) + counted
        if line.condition in DISPUTED_CONDITIONS:
            disputed.append(
                {"sku": line.sku, "condition": line.condition.value, "quantity": line.quantity_received}
            )
    for sku, units in restock.items():  # one adjustment per SKU and return: applied once however retried
        capped = order["channel"] if by_sku[sku].get("capped") else None
        inventory.adjust(table, sku, units, "returned", capped, ids.derived_id("adj", item["id"], sku))
    for sku, expected in asked.items():
        if received.get(sku, 0) < expected:
            disputed.append({"sku": sku, "condition": "missing", "quantity": expected - received.get(sku, 0)})
    every_unit = all(
        line.get("return_refunded", 0) + refunded_units.get(line["sku"], 0) >= line.get("shipped", 0)
        for line in order["lines"]
    )
    if item["shipping_payer"] == "merchant" and every_unit and not disputed:
        refund_amount += order["totals"]["shipping_fee"]
    # Goodwill refunds may already have paid part of it back: never more than is still refundable.
    refund_amount = min(refund_amount, order.get("refundable", 0))
    inspection = {
        "items": body.model_dump(mode="json")["items"],
        "notes": body.notes,
        "by": by,
        "at": clock.now_iso(),
        "refund_amount": refund_amount,
        "disputed": disputed,
    }
    inspected = store.move(
        table,
        item,
        "inspect",
        by=by,
        set_fields={"inspection": inspection},
        remove=("timer_kind", "due_at", "queue", "queue_key"),
        extra_ops=[store.order_lines_op(order, "return_refunded", refunded_units, -1)],
    )
    return _settle_inspection(table, inspected, by)


def _settle_inspection(table: Table, inspected: Item, by: str) -> Item:
    """Close the inspected return, or start its refund: what the recorded inspection says."""
    item = inspected
    refund_amount, disputed = inspected["inspection"]["refund_amount"], inspected["inspection"]["disputed"]
    order = orders.get_for(table, item["order_id"], None)
    if disputed:
        events.publish(
            "ReturnDisputed",
            f"{item['id']}:disputed",
            {
                "order_id": item["order_id"],
                "return_id": item["id"],
                "customer_id": item["customer_id"],
                "disputed": disputed,
            },
        )
    if refund_amount <= 0:
        closed = store.move(
            table, inspected, "close", by=by, set_fields={"outcome": {"refund": 0, "disputed": disputed}}
        )
        _announce("ReturnInspected", closed)
        return closed
    refund_id = ids.derived_id("ref", item["id"], "return")
    # The return waits for its refund from the same transaction that starts it: neither happens alone.
    update, pending = store.move_op(
        inspected, "refund", by=by, set_fields={"refund": {"refund_id": refund_id, "amount": refund_amount}}
    )
    refunds.start(
        table, order, refund_id, refund_amount, "return", by, return_id=item["id"], extra_ops=[update]
    )
    _announce("ReturnInspected", pending)
    return pending


def cancel(table: Table, item: Item, by: str) -> Item:
    cancelled = store.move(
        table,
        item,
        "cancel",
        by=by,
        remove=("queue", "queue_key", "timer_kind", "due_at"),
        extra_ops=[_release_units_op(table, item)],
    )
    _announce("ReturnCancelled", cancelled)
    return cancelled


def lapse(table: Table, item: Item) -> Item:
    lapsed = store.move(
        table,
        item,
        "lapse",
        by="system:return-lapse",
        remove=("timer_kind", "due_at", "queue", "queue_key"),
        extra_ops=[_release_units_op(table, item)],
    )
    events.publish(
        "ReturnLapsed",
        f"{item['id']}:lapsed",
        {"order_id": item["order_id"], "return_id": item["id"], "customer_id": item["customer_id"]},
    )
    return lapsed


def _announce(detail_type: str, item: Item) -> None:
    events.publish(
        detail_type,
        f"{item['id']}:{detail_type}",
        {
            "order_id": item["order_id"],
            "return_id": item["id"],
            "customer_id": item["customer_id"],
            "status": item["status"],
        },
    )


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=4000)
    attachments: list[HttpsUrl] = Field(default_factory=list, max_length=10)


def post_message(
    table: Table, item: Item, body: Message, by: str, role: Literal["customer", "staff"]
) -> Item:
    message = {"id": ids.new_id("msg"), "at": clock.now_iso(), "by": by, "role": role, **body.model_dump()}
    updated = store.add_message(table, item["id"], message)
    if role == "staff":
        events.publish(
            "ReturnMessage",
            f"{message['id']}:posted",
            {"order_id": item["order_id"], "return_id": item["id"], "customer_id": item["customer_id"]},
        )
    return updated
