"""May these items of a delivered order be returned, for this reason, now?

Pure: the use case reads the order, the products' return profiles and the policy, and asks here. The
order's lines carry what is already asked back (``return_requested``, held while a return is open or its
refusal's alternative stands), so one rule counts what is left, for the eligibility page and for a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from oms import clock
from oms.domain import return_policy as rules
from oms.problems import FieldError, Problem

Line = Mapping[str, Any]
REFUSALS = {
    "excluded_product": "this product cannot be returned for this reason",
    "window_expired": "the return window for this reason has passed",
}


class ReturnNotEligible(Problem):
    """The policy refuses the request; ``alternatives`` say what the shopper can have instead."""

    def __init__(
        self, detail: str, errors: list[FieldError], reason: rules.Reason, refusal_code: str | None
    ) -> None:
        super().__init__(
            detail,
            code="return_not_eligible",
            status=422,
            title="This return cannot be accepted",
            errors=errors,
            extra={"alternatives": [a.value for a in rules.alternatives(reason, refusal_code)]},
        )


def returnable(line: Line, held: int = 0) -> int:
    """Units of ``line`` that may still be asked back: shipped, less those asked already and ``held``."""
    return max(int(line.get("shipped", 0)) - int(line.get("return_requested", 0)) - held, 0)


def delivered_at(order: Line) -> datetime | None:
    """When the order reached the buyer, if it is a delivered order (returns start from there)."""
    if not order.get("delivered_at") or order["status"] not in ("delivered", "completed"):
        return None
    return clock.parse(order["delivered_at"])


def check_request(
    order: Line,
    asked: Sequence[tuple[str, int]],
    reason: rules.Reason,
    profiles: Mapping[str, rules.ItemProfile],
    now: datetime,
    policy: rules.ReturnPolicy,
    *,
    received: bool = True,
) -> dict[str, int]:
    """The units per SKU that ``asked`` (SKU, quantity) may return, or :class:`ReturnNotEligible` naming
    every line the policy refuses. ``profiles`` holds the profile of each asked SKU of the order.

    Goods the buyer never ``received`` (a refund only, for a parcel lost or stopped) are not returned under
    the policy's windows: only the units shipped and not asked back already count."""
    delivered = delivered_at(order)
    if delivered is None and received:
        raise ReturnNotEligible("Only delivered orders can be returned.", [], reason, "not_delivered")
    by_sku = {line["sku"]: line for line in order["lines"]}
    units: dict[str, int] = {}
    errors: list[FieldError] = []
    refusal_code = None
    for i, (sku, quantity) in enumerate(asked):
        line = by_sku.get(sku)
        if line is None:
            errors.append(FieldError(f"items[{i}].sku", "is not in this order", {"code": "not_in_order"}))
            continue
        left = returnable(line, units.get(sku, 0))
        if quantity > left:
            extra = {"code": "return_quantity_exceeded", "returnable_quantity": left}
            errors.append(FieldError(f"items[{i}].quantity", f"only {left} can still be returned", extra))
            continue
        code = rules.refusal(reason, profiles[sku], delivered, now, policy) if delivered else None
        if code:
            refusal_code = code
            errors.append(FieldError(f"items[{i}].sku", REFUSALS[code], {"code": code, "sku": sku}))
            continue
        units[sku] = units.get(sku, 0) + quantity
    if errors:
        detail = "The return policy does not allow this request; see errors and alternatives."
        raise ReturnNotEligible(detail, errors, reason, refusal_code)
    return units


def line_eligibility(
    line: Line,
    profile: rules.ItemProfile | None,
    delivered: datetime | None,
    now: datetime,
    policy: rules.ReturnPolicy,
) -> dict[str, Any]:
    """One line of the eligibility page: how many units are left, under which reasons, until when and
    who would pay the shipping. ``profile`` is needed only for a delivered line with units left."""
    left = returnable(line)
    reasons = []
    if delivered is not None and left > 0 and profile is not None:
        reasons = [
            {
                "reason": reason.value,
                "until": clock.iso(rules.deadline(reason, profile, delivered, policy)),
                "shipping_payer": rules.shipping_payer(reason, policy).value,
                "evidence_required": reason in policy.evidence_required_for,
            }
            for reason in rules.Reason
            if rules.refusal(reason, profile, delivered, now, policy) is None
        ]
    return {"sku": line["sku"], "returnable_quantity": left, "reasons": reasons, "eligible": bool(reasons)}
