"""Returns ("退货管理规范"): the request, the review by the rules, and the moves that end a return without
inspection. The parcel back is in ``return_parcel``, decisions by staff in ``return_decisions``,
inspection in ``return_inspection``.

Each use case reads, decides with ``domain.return_policy`` / ``domain.return_eligibility`` /
``domain.returns`` and writes once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from oms import clock, events, ids
from oms.config import require, settings
from oms.domain import return_eligibility
from oms.domain import return_policy as rules
from oms.domain.returns import next_return_status
from oms.event_catalogue import (
    ReturnApproved,
    ReturnCancelled,
    ReturnLapsed,
    ReturnMessage,
    ReturnRequested,
    ReturnStatusEvent,
)
from oms.lifecycle import exchange_approval
from oms.problems import Conflict
from oms.store import catalog, inventory, keys, moves, orders, races
from oms.store import returns as store
from oms.store.table import Item, Table
from oms.store.unit_of_work import Write

if TYPE_CHECKING:
    from oms.api.return_requests import Message, ReturnRequest

require("RETURN_REVIEW_SLA_HOURS", "RETURN_SHIPPING_PAYER", by=__name__)

RETURN_REVIEW_SLA = "return_review_sla"
RETURN_SHIP_BY = "return_ship_by"
INSPECT_QUEUE = "INSPECT"  # parcels on their way back or arrived, waiting for inspection: oldest first
QUEUE_FIELDS = ("queue", "queue_key", "timer_kind", "due_at")


def policy() -> rules.ReturnPolicy:
    s = settings()
    return rules.ReturnPolicy(
        review_sla_hours=s.return_review_sla_hours,
        preference_shipping_payer=rules.ShippingPayer(s.return_shipping_payer),
    )


def _profiles(table: Table, lines: list[Item]) -> dict[str, rules.ItemProfile]:
    """The return profile of each of ``lines``' products (the line's own flags if it left the catalogue)."""
    profiles = {}
    for line in lines:
        product = catalog.get_product(table, line["sku"])
        fields = product.model_dump() if product else {"sku": line["sku"], "flags": line.get("flags", [])}
        profiles[line["sku"]] = rules.ItemProfile.model_validate(fields)
    return profiles


def eligibility(table: Table, order: Item) -> list[dict[str, Any]]:
    """Per item: may it be returned now, under which reasons, until when, who would pay shipping."""
    delivered = clock.parse(order["delivered_at"]) if order.get("delivered_at") else None
    left = [line for line in order["lines"] if return_eligibility.returnable(line) > 0]
    profiles = _profiles(table, left) if delivered else {}
    policy_now, now = policy(), clock.now()
    return [
        return_eligibility.line_eligibility(line, profiles.get(line["sku"]), delivered, now, policy_now)
        for line in order["lines"]
    ]


def new_return(order: Item, body: ReturnRequest, units: dict[str, int], return_id: str) -> Item:
    by_sku = {line["sku"]: line for line in order["lines"]}
    now = clock.now_iso()
    pk, sk = keys.return_request(return_id)
    return {
        "pk": pk,
        "sk": sk,
        "id": return_id,
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        "status": "requested",
        "type": body.type.value,
        "version": 1,
        "items": [
            {"sku": sku, "name": by_sku[sku]["name"], "quantity": n, "unit_price": by_sku[sku]["unit_price"]}
            for sku, n in units.items()
        ],
        "reason": body.reason.value,
        "description": body.description,
        "evidence": body.evidence,
        "refund_method": body.refund_method.value,
        "shipping_payer": rules.shipping_payer(body.reason, policy()).value,
        "requested_at": now,
        "messages": [],
        "timeline": [{"at": now, "type": "requested", "by": order["customer_id"]}],
        "customer_key": keys.customer_returns(order["customer_id"]),
        "created_key": f"{now}#{return_id}",
        "channel": order["channel"],
        "category": [by_sku[s].get("category") for s in units],
    }


def request_return(table: Table, order: Item, body: ReturnRequest, key: str | None) -> Item:
    """Check the request against the policy and record it, decided by the rules when they can."""
    item = record_request(table, order, body, key, lambda: (check_units(table, order, body), {}))
    # The rules answer the shopper at once; the return-lifecycle workflow's review-return step runs the
    # same idempotent review, so a request whose answer was lost mid-way is still decided.
    return review_by_rules(table, item["id"], item)


def check_units(table: Table, order: Item, body: ReturnRequest, *, received: bool = True) -> dict[str, int]:
    """The units per SKU the request may ask back (``received``: goods the buyer has, under the policy)."""
    asked = [(line.sku, line.quantity) for line in body.items]
    skus = {sku for sku, _ in asked}
    profiles = _profiles(table, [line for line in order["lines"] if line["sku"] in skus])
    return return_eligibility.check_request(
        order, asked, body.reason, profiles, clock.now(), policy(), received=received
    )


def request_id(order: Item, key: str | None) -> str:
    """A request's id: the same for the same buyer's key, so a retried request finds its record."""
    return ids.derived_id("ret", order["customer_id"], key) if key else ids.new_id("ret")


def record_request(
    table: Table,
    order: Item,
    body: ReturnRequest,
    key: str | None,
    check: Callable[[], tuple[dict[str, int], dict[str, Any]]],
) -> Item:
    """Record the request and its units held on the order, and announce it: once, however retried.

    ``check`` gives the units the request may ask back and what else to record; it is not asked again
    for a request recorded already under this key (its units are held: checked again, they would not be
    free any more)."""
    return_id = request_id(order, key)
    item = store.get(table, return_id) if key else None
    if item is None:
        units, fields = check()
        item = {**new_return(order, body, units, return_id), **fields}
        lines = [
            {**line, "return_requested": line.get("return_requested", 0) + units.get(line["sku"], 0)}
            for line in order["lines"]
        ]
        if not store.create(table, item, order, lines):
            item = store.get_for(table, return_id, order["customer_id"])
    elif item["order_id"] != order["id"]:
        raise Conflict("This Idempotency-Key was used for another order.", code="idempotency_key_reused")
    if item["status"] != "requested":
        return item  # the same request again, decided already
    # A new request, or one whose first run died before announcing and deciding it: finish that (same
    # event id).
    requested = ReturnRequested(
        order_id=order["id"], customer_id=order["customer_id"], return_id=return_id, reason=body.reason.value
    )
    events.publish(requested, f"{return_id}:requested")
    return item


def review_by_rules(table: Table, return_id: str, item: Item | None = None) -> Item:
    """The review-return step: approve what the policy clearly allows, queue the rest for a person."""
    given = [item] if item is not None else []

    def read() -> Item:
        current = given.pop() if given else store.get(table, return_id)
        if current is None:
            raise Conflict(f"No return {return_id}.", code="return_not_found")
        return current

    return races.retry_on_race(read, lambda current: _review(table, current), f"return {return_id}")


def _review(table: Table, current: Item) -> Item:
    if current["status"] != "requested":
        return current  # decided already
    policy_now = policy()
    decision = rules.auto_decision(
        rules.Reason(current["reason"]), current.get("evidence", []), None, policy_now
    )
    if decision == "approve":
        return approve(table, current, by="system:return-rules", reason="the policy allows it")
    return hold_for_review(table, current)


def hold_for_review(table: Table, current: Item, **fields: Any) -> Item:
    """Queue the return for a person, due within the review SLA (``fields``: what they should know)."""
    due = clock.iso(clock.now() + timedelta(hours=policy().review_sla_hours))
    queued = {
        **fields,
        "review_due_at": due,
        "queue": "REVIEW",
        "queue_key": f"{due}#{current['id']}",
        "timer_kind": RETURN_REVIEW_SLA,
        "due_at": due,
    }
    return moves.apply(
        table, moves.RETURN, current, "hold_for_review", by="system:return-rules", set_fields=queued
    )


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
    fields = {
        "decision": {"decision": "approve", "reason": reason, "by": by, "at": clock.now_iso()},
        "instructions": instructions(item),
        "timer_kind": RETURN_SHIP_BY,
        "due_at": clock.iso(ship_by),
    }
    if item.get("type") == rules.AfterSalesType.exchange:
        approved = exchange_approval.approve(table, item, fields, by=by, trust=policy().instant_refund)
    else:
        approved = moves.apply(
            table, moves.RETURN, item, "approve", by=by, set_fields=fields, remove=("queue", "queue_key")
        )
    events.publish(ReturnApproved.about(item), f"{item['id']}:approved")
    return approved


def restock(table: Table, order: Item, return_id: str, units: dict[str, int], reason: str) -> None:
    """Put a return's ``units`` back in stock (into the order's channel for the lines it capped): one
    adjustment per SKU and return, applied once however retried."""
    capped = {line["sku"] for line in order["lines"] if line.get("capped")}
    for sku, count in units.items():
        channel = order["channel"] if sku in capped else None
        inventory.adjust(table, sku, count, reason, channel, ids.derived_id("adj", return_id, sku))


def release_units(table: Table, item: Item, name: str = orders.ORDER) -> Write:
    """A return that will not come back frees its units for another request and stops holding the order:
    in the transaction of its move, so a run that dies after the move cannot leave them held. ``name``
    tells this order's write apart from another order's in the same transaction."""
    order = orders.get_for(table, item["order_id"], None)
    units = {i["sku"]: -i["quantity"] for i in item["items"]}
    return store.order_lines(order, "return_requested", units, -1, name=name)


def cancel(table: Table, item: Item, by: str) -> Item:
    next_return_status(item["status"], "cancel")  # refused before an exchange's replacement is touched
    withdrawn = exchange_approval.withdraw(table, item, by)
    release = release_units(table, item)
    cancelled = moves.apply(
        table,
        moves.RETURN,
        item,
        "cancel",
        by=by,
        set_fields=withdrawn,
        remove=QUEUE_FIELDS,
        also=[release],
    )
    announce(ReturnCancelled, cancelled)
    return cancelled


def lapse(table: Table, item: Item) -> Item:
    by = "system:return-lapse"
    withdrawn = exchange_approval.withdraw(table, item, by, strict=False)
    release = release_units(table, item)
    lapsed = moves.apply(
        table, moves.RETURN, item, "lapse", by=by, set_fields=withdrawn, remove=QUEUE_FIELDS, also=[release]
    )
    events.publish(ReturnLapsed.about(item), f"{item['id']}:lapsed")
    return lapsed


def announce(moved: type[ReturnStatusEvent], item: Item) -> None:
    """The return moved to ``item["status"]``: one event per move."""
    events.publish(moved.moved(item), f"{item['id']}:{moved.detail_type()}")


def post_message(
    table: Table, item: Item, body: Message, by: str, role: Literal["customer", "staff"]
) -> Item:
    message = {"id": ids.new_id("msg"), "at": clock.now_iso(), "by": by, "role": role, **body.model_dump()}
    updated = store.add_message(table, item["id"], message)
    if role == "staff":
        events.publish(ReturnMessage.about(item), f"{message['id']}:posted")
    return updated
