"""Exchanges (换货): the buyer sends goods back and names what they want instead — the same SKU, another
variant or another product. Pure rules: which replacements may be asked for, what the swap costs, when
the replacement ships.

The price difference is today's price of the replacement against what the returned units were paid after
their share of the discount (:func:`oms.domain.returns.refund_for_units`, so the units are valued as a
return would refund them): above zero the buyer pays it, by a due time of its own; below zero it is
refunded, once the parcel passed inspection (money is never paid out on goods not yet seen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from oms.domain.catalog import Product
from oms.domain.instant_refund import BuyerRecord, InstantRefundPolicy, refusal
from oms.domain.returns import refund_for_units
from oms.problems import Conflict, FieldError, ValidationProblem

BALANCE_DUE_HOURS = 24  # the buyer pays a price difference within this many hours of the approval
REFUND_REASON = "exchange_difference"  # a difference the buyer is owed, refunded after inspection
# A trusted buyer's replacement shipped and the goods never came back: staff follow it up on the order.
UNRETURNED_KIND = "exchange_unreturned"
UNRETURNED_OWNER = "returns"
# An exchange's ``state`` while its replacement stands: reserved (approved), or free to ship (released).
LIVE_STATES = frozenset({"approved", "released"})


class Line(Protocol):
    """One exchange line as asked: ``quantity`` units of ``sku`` for as many of ``replacement_sku``."""

    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def replacement_sku(self) -> str: ...


def check_lines(items: Sequence[tuple[str, int]], lines: Sequence[Line] | None) -> None:
    """An exchange names a replacement for exactly the units it sends back, no more, no fewer."""
    if not lines:
        raise ValidationProblem(
            "An exchange names what the buyer wants instead.",
            code="exchange_required",
            errors=[FieldError("exchange", "is required for an exchange")],
        )
    asked: dict[str, int] = {}
    for sku, quantity in items:
        asked[sku] = asked.get(sku, 0) + quantity
    named: dict[str, int] = {}
    for line in lines:
        named[line.sku] = named.get(line.sku, 0) + line.quantity
    if asked != named:
        raise ValidationProblem(
            "The exchange must name a replacement for each unit sent back, and only for those.",
            code="exchange_mismatch",
            errors=[FieldError("exchange", "must cover exactly the items sent back")],
        )


def unsellable(product: Product | None, currency: str) -> str | None:
    """Why ``product`` cannot be sent as a replacement (a stable code), or None."""
    if product is None or not product.active:
        return "replacement_unknown"
    if product.currency != currency or product.presale_ships_at is not None:
        return "replacement_not_sellable"
    return None


def check_replacements(
    lines: Sequence[Line],
    products: Mapping[str, Product | None],
    available: Mapping[str, int],
    currency: str,
) -> None:
    """Every replacement is in the catalogue and sold now in the order's currency (else 422), and in stock
    (else 409: it may be back later)."""
    errors = []
    wanted: dict[str, int] = {}
    for n, line in enumerate(lines):
        code = unsellable(products.get(line.replacement_sku), currency)
        if code:
            message = "is not a product that can be sent now"
            errors.append(FieldError(f"exchange[{n}].replacement_sku", message, {"code": code}))
        wanted[line.replacement_sku] = wanted.get(line.replacement_sku, 0) + line.quantity
    if errors:
        raise ValidationProblem(
            "A replacement cannot be sent.", code=str(errors[0].extra["code"]), errors=errors
        )
    short = [
        FieldError("exchange", "not enough in stock", {"code": "insufficient_stock", "sku": sku})
        for sku, units in wanted.items()
        if available.get(sku, 0) < units
    ]
    if short:
        raise Conflict("A replacement is out of stock.", code="insufficient_stock", errors=short)


def priced_lines(
    order: Mapping[str, Any], lines: Sequence[Line], products: Mapping[str, Product | None]
) -> list[dict[str, Any]]:
    """Each line with what its returned units were paid (``credit``) and what the replacement costs today."""
    by_sku = {line["sku"]: line for line in order["lines"]}
    taken: dict[str, int] = {}
    priced = []
    for line in lines:
        product = products[line.replacement_sku]
        assert product is not None  # checked by check_replacements
        returned = by_sku[line.sku]
        before = int(returned.get("return_refunded", 0)) + taken.get(line.sku, 0)
        taken[line.sku] = taken.get(line.sku, 0) + line.quantity
        priced.append(
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "replacement_sku": product.sku,
                "replacement_name": product.name,
                "category": product.category,
                "flags": [flag.value for flag in product.flags],
                "unit_price": product.price,
                "credit": refund_for_units(returned, before, line.quantity),
            }
        )
    return priced


def difference(priced: Sequence[Mapping[str, Any]]) -> int:
    """What the buyer owes (above zero) or is owed (below zero) for the swap."""
    return sum(int(p["unit_price"]) * int(p["quantity"]) - int(p["credit"]) for p in priced)


def refund_due(difference_: int, refundable: int) -> int:
    """The part of a difference the buyer is owed that can be refunded: never more than the order can."""
    return max(0, min(-difference_, refundable))


def balance_due_at(approved_at: datetime) -> datetime:
    return approved_at + timedelta(hours=BALANCE_DUE_HOURS)


def ships_at_once(policy: InstantRefundPolicy, record: BuyerRecord, at_risk: int) -> bool:
    """A buyer the instant-refund policy trusts with ``at_risk`` (the returned goods' worth, sent ahead of
    their parcel) gets the replacement at approval; anyone else when the carrier has their parcel."""
    return refusal(policy, record, max(at_risk, 1), 0) is None
