"""Refund only (仅退款): the buyer's money back with nothing sent back by them.

Which way a request goes follows from where the goods are:
- still with the carrier (``intercept``): the carrier is asked to bring the parcel back; the refund follows
  its return to the warehouse, and staff decide when the carrier cannot stop it;
- lost by the carrier (``lost``): refunded at once;
- delivered (``kept``): the buyer keeps the goods and asks for part of their price back, which staff
  accept or counter.
- not shipped yet (``not_shipped``): asked for the whole order, the order is cancelled as its buyer would
  cancel it (refunded at once, stock back); part of an order is removed by editing it, so the request
  points there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from oms.domain import tracking
from oms.domain.returns import Condition, inspection_verdict, partial_refund_cap
from oms.problems import Conflict, FieldError, Problem, ValidationProblem

Parcel = Mapping[str, Any]
REFUND_REASON = "refund_only"  # the refund's reason, as the reports count it
OUTBOUND = ("outbound", "reship")
NOT_PAID = frozenset({"pending_payment", "awaiting_balance", "cancelled"})
# Paid, and nothing of it handed to a carrier yet: the buyer may still cancel it.
UNSHIPPED = frozenset({"awaiting_fulfillment", "under_review", "on_hold"})
DELIVERED = frozenset({"delivered", "completed"})
# A parcel the carrier can still turn around: scanned on its way, not yet out with the courier.
INTERCEPTABLE = frozenset(
    {
        tracking.CarrierStatus.info_received,
        tracking.CarrierStatus.in_transit,
        tracking.CarrierStatus.exception,
        tracking.CarrierStatus.failed_attempt,
        tracking.UNMAPPED,
    }
)


class Route(StrEnum):
    not_shipped = "not_shipped"
    intercept = "intercept"
    lost = "lost"
    kept = "kept"


@dataclass(frozen=True)
class Plan:
    route: Route
    parcels: tuple[str, ...] = ()  # the parcels to intercept, or that were lost


def _refused(detail: str, code: str, status: int = 409, **extra: Any) -> Problem:
    if status == 422:
        return ValidationProblem(detail, code=code, errors=[FieldError("items", detail, {"code": code})])
    return Conflict(detail, code=code, extra=extra or None)


def _holding(parcels: Sequence[Parcel], asked: Mapping[str, int]) -> list[Parcel]:
    """The buyer's parcels that carry any of the asked SKUs."""
    return [
        p
        for p in parcels
        if p.get("kind", "outbound") in OUTBOUND and any(i["sku"] in asked for i in p.get("items", []))
    ]


def _contents(parcels: Sequence[Parcel]) -> dict[str, int]:
    units: dict[str, int] = {}
    for parcel in parcels:
        for line in parcel.get("items", []):
            units[line["sku"]] = units.get(line["sku"], 0) + int(line["quantity"])
    return units


def _unshipped(order: Mapping[str, Any], asked: Mapping[str, int]) -> list[str]:
    by_sku = {line["sku"]: line for line in order["lines"]}
    return [sku for sku, n in asked.items() if sku in by_sku and int(by_sku[sku].get("shipped", 0)) < n]


def check_shipped(order: Mapping[str, Any], asked: Mapping[str, int]) -> Route | None:
    """``not_shipped`` for a paid order nothing of which has shipped, asked back whole; None when the
    goods have shipped. Refused: an unpaid order, or part of the goods still in the warehouse."""
    if order["status"] in NOT_PAID:
        raise _refused("Nothing has been paid on this order that could be refunded.", "nothing_to_refund")
    whole = {line["sku"]: int(line["quantity"]) for line in order["lines"]}
    if order["status"] in UNSHIPPED and dict(asked) == whole:
        return Route.not_shipped
    if _unshipped(order, asked):
        raise _refused(
            "Some of these goods have not shipped yet: edit the order to remove them (or ask for the whole "
            "order back), and the payment is refunded at once.",
            "cancel_instead",
            skus=_unshipped(order, asked),
        )
    return None


def plan(
    order: Mapping[str, Any],
    parcels: Sequence[Parcel],
    asked: Mapping[str, int],
    requested_amount: int | None,
) -> Plan:
    """How a refund-only request for ``asked`` (units per SKU, already checked to be on the order) goes,
    or the problem that refuses it."""
    if check_shipped(order, asked) is Route.not_shipped:
        return Plan(Route.not_shipped)
    if order["status"] in DELIVERED:
        if requested_amount is None:
            raise ValidationProblem(
                "Keeping delivered goods, ask for the part of their price you want back.",
                code="amount_required",
                errors=[FieldError("requested_amount", "is required when the goods were delivered")],
            )
        return Plan(Route.kept)
    if requested_amount is not None:
        raise ValidationProblem(
            "Goods that never arrived are refunded in full: leave out requested_amount.",
            code="amount_not_allowed",
            errors=[FieldError("requested_amount", "only for delivered goods the buyer keeps")],
        )
    holding = _holding(parcels, asked)
    statuses = {str(p["status"]) for p in holding}
    ids = tuple(sorted(str(p["id"]) for p in holding))
    if statuses == {tracking.CarrierStatus.lost}:
        return Plan(Route.lost, ids)
    if not statuses <= INTERCEPTABLE:
        raise _refused(
            "The parcel is out for delivery or has arrived, and can no longer be stopped: once it is "
            "delivered, ask for a return or a partial refund.",
            "parcel_not_interceptable",
            parcel_statuses=sorted(statuses),
        )
    if _contents(holding) != dict(asked):
        # An intercepted parcel comes back whole: the request is for everything in it.
        raise _refused(
            "An intercepted parcel comes back whole: ask for everything it holds.",
            "whole_parcel_required",
            status=422,
        )
    return Plan(Route.intercept, ids)


def owed(order: Mapping[str, Any], asked: Mapping[str, int]) -> tuple[int, dict[str, int]]:
    """What goods that never reached the buyer earn back, and the units it pays for: the price paid after
    the discount share, and the shipping fee once every unit is paid back (the buyer had nothing of it)."""
    found = [(sku, units, Condition.resellable) for sku, units in asked.items()]
    verdict = inspection_verdict(order, asked, found, "merchant")
    return verdict.refund_amount, verdict.refunded_units


def check_amount(order: Mapping[str, Any], items: Sequence[Mapping[str, Any]], amount: int) -> None:
    """A partial refund for kept goods is at most what they were paid for, and what is still refundable."""
    most = partial_refund_cap(order, items)
    if amount > most:
        raise ValidationProblem(
            f"A partial refund of these units can be at most {most}.",
            code="amount_too_large",
            errors=[FieldError("requested_amount", f"must be at most {most}", {"code": "amount_too_large"})],
        )
