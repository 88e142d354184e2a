"""Staff decide on a return a person must review; the buyer takes or turns down what a refusal offers.

A refusal always offers an alternative (exchange, repair or a partial refund): the units stay held while
it stands, and what the buyer answers settles them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oms import clock, events, ids
from oms.domain import return_policy as rules
from oms.domain.returns import partial_refund_cap
from oms.event_catalogue import ReturnClosed, ReturnRejected
from oms.lifecycle import refund_only
from oms.lifecycle.returns import QUEUE_FIELDS, approve, instructions
from oms.problems import Conflict, FieldError, ValidationProblem
from oms.store import moves, orders, refunds
from oms.store import returns as store
from oms.store.table import Item, Table

if TYPE_CHECKING:
    from oms.api.return_requests import ReturnDecision


def _alternative(body: ReturnDecision) -> rules.Alternative:
    """A refusal names the alternative it offers, and a partial refund its amount."""
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
    return body.alternative


def _check_amount(order: Item, item: Item, amount: int | None) -> None:
    """A partial refund is at most what the units are worth, and what is still refundable."""
    most = partial_refund_cap(order, item["items"])
    if amount and amount > most:
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


def decide(table: Table, item: Item, body: ReturnDecision, by: str) -> Item:
    if body.decision == "approve":
        if item.get("type") == refund_only.TYPE:
            return refund_only.approve(table, item, by, body.reason)
        return approve(table, item, by=by, reason=body.reason)
    alternative = _alternative(body)
    order = orders.get_for(table, item["order_id"], None)
    if alternative is rules.Alternative.partial_refund:
        _check_amount(order, item, body.partial_refund_amount)
    decision = {
        "decision": "reject",
        "reason": body.reason,
        "by": by,
        "at": clock.now_iso(),
        "alternative": alternative.value,
        "partial_refund_amount": body.partial_refund_amount,
    }
    rejected = moves.apply(
        table,
        moves.RETURN,
        item,
        "reject",
        by=by,
        set_fields={"decision": decision},
        remove=QUEUE_FIELDS,
        # The units stay held while the alternative stands: what the buyer accepts settles them, so
        # they cannot be returned again; declining the offer frees them (decline_alternative).
        also=[store.order_lines(order, "return_requested", {}, -1)],
    )
    events.publish(ReturnRejected.about(item, alternative=alternative.value), f"{item['id']}:rejected")
    return rejected


def _offered(item: Item, what: str) -> str:
    alternative = (item.get("decision") or {}).get("alternative")
    if item["status"] != "rejected" or not alternative:
        raise Conflict(f"There is no alternative to {what} on this return.", code="invalid_transition")
    return str(alternative)


def decline_alternative(table: Table, item: Item, by: str) -> Item:
    """The buyer turns down what the refusal offered: the return closes and its units are free again."""
    alternative = _offered(item, "decline")
    order = orders.get_for(table, item["order_id"], None)
    release = store.order_lines(
        order, "return_requested", {i["sku"]: -i["quantity"] for i in item["items"]}, 0
    )
    closed = moves.apply(
        table,
        moves.RETURN,
        item,
        "close",
        by=by,
        set_fields={"outcome": {"declined": alternative}},
        also=[release],
    )
    _announce_closed(item, "declined")
    return closed


def _take(table: Table, order: Item, item: Item, alternative: str, by: str) -> dict[str, Any]:
    """Carry out the alternative the buyer accepts; the outcome to record on the return."""
    if alternative == "partial_refund":
        refund_id = ids.derived_id("ref", item["id"], "partial")
        amount = int(item["decision"]["partial_refund_amount"])
        # None from start() means a run that died before closing started it already: same id.
        refunds.start(table, order, refund_id, amount, "return_partial_refund", by)
        return {"alternative": "partial_refund", "refund_id": refund_id}
    if alternative == "exchange":
        replacement = orders.place_replacement(
            table, order, orders.same_goods(order, item["items"]), item["id"]
        )
        return {"alternative": "exchange", "replacement_order_id": replacement["id"]}
    return {"alternative": "repair", "instructions": instructions(item)}


def accept_alternative(table: Table, item: Item, by: str) -> Item:
    """The buyer takes what the refusal offered: a partial refund, an exchange or a repair."""
    alternative = _offered(item, "accept")
    order = orders.get_for(table, item["order_id"], None)
    outcome = _take(table, order, item, alternative, by)
    closed = moves.apply(table, moves.RETURN, item, "close", by=by, set_fields={"outcome": outcome})
    _announce_closed(item, alternative)
    return closed


def _announce_closed(item: Item, outcome: str) -> None:
    events.publish(ReturnClosed.about(item, outcome=outcome), f"{item['id']}:closed")
