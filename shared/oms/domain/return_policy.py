"""The published return policy ("退货政策制定与公示") as data and rules, in one place.

Two families of reasons:
- the merchant's fault (quality, not as described, wrong item, damaged in transit, missing parts): always
  returnable within the quality window, whatever the goods, with photo or video evidence; the merchant
  pays the return shipping;
- the buyer's preference (no reason, changed mind, size): the 7-day no-reason return ("七天无理由"), only
  for goods that allow it (not intimate wear, food, perishable or customized goods unless the product says
  otherwise); return shipping paid by the buyer or subsidised by the platform, as configured.
Windows count from delivery.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from oms.domain.catalog import Flag
from oms.domain.instant_refund import InstantRefundPolicy


class Reason(StrEnum):
    quality_issue = "quality_issue"
    not_as_described = "not_as_described"
    wrong_item = "wrong_item"
    damaged_in_transit = "damaged_in_transit"
    missing_parts = "missing_parts"
    no_reason = "no_reason"
    changed_mind = "changed_mind"
    size_fit = "size_fit"


MERCHANT_FAULT = frozenset(
    {
        Reason.quality_issue,
        Reason.not_as_described,
        Reason.wrong_item,
        Reason.damaged_in_transit,
        Reason.missing_parts,
    }
)
PREFERENCE = frozenset({Reason.no_reason, Reason.changed_mind, Reason.size_fit})
EXCLUDED_FLAGS = (Flag.intimate, Flag.food, Flag.perishable, Flag.customized)


class AfterSalesType(StrEnum):
    """What the buyer asks for (售后类型): their money for goods sent back, their money without sending
    anything back (goods never received, or kept with a partial refund), or other goods for these."""

    return_refund = "return_refund"
    refund_only = "refund_only"
    exchange = "exchange"


class ShippingPayer(StrEnum):
    merchant = "merchant"
    buyer = "buyer"
    platform_subsidy = "platform_subsidy"


class Alternative(StrEnum):
    exchange = "exchange"
    repair = "repair"
    partial_refund = "partial_refund"


class RefundMethod(StrEnum):
    original_payment = "original_payment"
    balance = "balance"


class ReturnPolicy(BaseModel):
    no_reason_window_days: int = 7
    quality_window_days: int = 15
    excluded_flags: list[Flag] = Field(default_factory=lambda: list(EXCLUDED_FLAGS))
    evidence_required_for: list[Reason] = Field(default_factory=lambda: sorted(MERCHANT_FAULT))
    preference_shipping_payer: ShippingPayer = ShippingPayer.buyer
    refund_methods: dict[RefundMethod, str] = Field(
        default_factory=lambda: {
            RefundMethod.original_payment: "within 3 days of the parcel passing inspection",
            RefundMethod.balance: "within 24 hours of the parcel passing inspection",
        }
    )
    review_sla_hours: int = 24
    ship_within_days: int = 7  # an approved return not handed to a carrier by then lapses
    insure_above: int = 100_000  # minor units: above this value the buyer is advised to insure the parcel
    return_address: str = (
        "OMS Returns Centre, 88 Logistics Road, Jinan, Shandong 250000, CN, +86 531 0000 0000"
    )
    packing: str = "Original packaging with tags and all accessories; seal the box; put the return id inside."
    recommended_carrier: str = "sf"
    instant_refund: InstantRefundPolicy = Field(default_factory=InstantRefundPolicy)


class ItemProfile(BaseModel):
    """What the policy needs to know about one delivered line."""

    sku: str
    flags: list[str] = Field(default_factory=list)
    returnable: bool | None = None  # None: as its category says; True/False: the product overrides it
    return_window_days: int | None = None  # None: the policy's no-reason window


def preference_allowed(item: ItemProfile, policy: ReturnPolicy) -> bool:
    """May the buyer return it for their own reasons? The product's own setting wins over its category."""
    if item.returnable is not None:
        return item.returnable
    return not any(flag in item.flags for flag in policy.excluded_flags)


def window_days(reason: Reason, item: ItemProfile, policy: ReturnPolicy) -> int:
    own = item.return_window_days if item.return_window_days is not None else policy.no_reason_window_days
    if reason in MERCHANT_FAULT:
        return max(policy.quality_window_days, own)
    return own


def shipping_payer(reason: Reason, policy: ReturnPolicy) -> ShippingPayer:
    return ShippingPayer.merchant if reason in MERCHANT_FAULT else policy.preference_shipping_payer


def refusal(
    reason: Reason, item: ItemProfile, delivered_at: datetime, now: datetime, policy: ReturnPolicy
) -> str | None:
    """Why this reason cannot apply to this item now (a stable code), or None."""
    if reason in PREFERENCE and not preference_allowed(item, policy):
        return "excluded_product"
    if now > deadline(reason, item, delivered_at, policy):
        return "window_expired"
    return None


def deadline(reason: Reason, item: ItemProfile, delivered_at: datetime, policy: ReturnPolicy) -> datetime:
    return delivered_at + timedelta(days=window_days(reason, item, policy))


def alternatives(reason: Reason, refusal_code: str | None) -> list[Alternative]:
    """What remains when a return is refused: the shopper is never left with nothing to do."""
    if reason in MERCHANT_FAULT:
        return [Alternative.repair, Alternative.exchange, Alternative.partial_refund]
    if refusal_code == "excluded_product":
        return [Alternative.exchange] if reason is Reason.size_fit else [Alternative.partial_refund]
    return [Alternative.repair, Alternative.partial_refund]


def auto_decision(reason: Reason, evidence: list[str], refusal_code: str | None, policy: ReturnPolicy) -> str:
    """``approve``, ``reject`` or ``manual``: the rules decide what they can, a person the rest."""
    if refusal_code:
        return "reject"
    if reason in policy.evidence_required_for:
        return "approve" if evidence else "manual"
    if reason is Reason.no_reason:
        return "approve"
    return "manual"


def summary(item: ItemProfile, policy: ReturnPolicy) -> dict[str, object]:
    """The policy where the shopper decides: on the product page."""
    allowed = preference_allowed(item, policy)
    return {
        "returnable": allowed,
        "no_reason_days": window_days(Reason.no_reason, item, policy) if allowed else 0,
        "quality_days": window_days(Reason.quality_issue, item, policy),
        "return_shipping": {
            "merchant_fault": ShippingPayer.merchant.value,
            "preference": policy.preference_shipping_payer.value,
        },
    }
