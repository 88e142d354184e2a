"""Coupons: when one applies and what it takes off."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from oms.domain.catalog import CURRENCY_PATTERN, as_utc

COUPON_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"


class CouponKind(StrEnum):
    percent = "percent"
    fixed = "fixed"


class Coupon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=COUPON_CODE_PATTERN)
    kind: CouponKind
    value: int = Field(gt=0, description="percent (1-100) or fixed amount in minor units")
    currency: str = Field("CNY", pattern=CURRENCY_PATTERN)
    min_subtotal: int = Field(0, ge=0)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    total_limit: int | None = Field(None, ge=1)
    per_customer_limit: int | None = Field(None, ge=1)
    categories: list[str] = Field(default_factory=list, description="empty: every category")
    active: bool = True

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _utc(cls, moment: datetime | None) -> datetime | None:
        return as_utc(moment)

    @model_validator(mode="after")
    def _sane(self) -> Coupon:
        if self.kind is CouponKind.percent and self.value > 100:
            raise ValueError("a percent coupon takes at most 100")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CouponUsage(BaseModel):
    used: int = 0
    used_by_customer: int = 0


def coupon_refusal(
    coupon: Coupon | None,
    usage: CouponUsage,
    eligible_subtotal: int,
    currency: str,
    now: datetime,
) -> str | None:
    """Why the coupon cannot be used, or None when it can."""
    if coupon is None or not coupon.active:
        return "unknown"
    if coupon.currency != currency:  # its amounts (fixed value, minimum) are in its own currency
        return "currency"
    if coupon.starts_at and now < coupon.starts_at:
        return "not_started"
    if coupon.ends_at and now >= coupon.ends_at:
        return "expired"
    if coupon.total_limit is not None and usage.used >= coupon.total_limit:
        return "exhausted"
    if coupon.per_customer_limit is not None and usage.used_by_customer >= coupon.per_customer_limit:
        return "already_used"
    if eligible_subtotal == 0:
        return "not_applicable"
    if eligible_subtotal < coupon.min_subtotal:
        return "below_minimum"
    return None


REFUSAL_MESSAGES = {
    "unknown": "This coupon does not exist.",
    "currency": "This coupon is in another currency.",
    "not_started": "This coupon is not valid yet.",
    "expired": "This coupon has expired.",
    "exhausted": "This coupon has been used up.",
    "already_used": "You have already used this coupon as often as allowed.",
    "not_applicable": "This coupon does not apply to any item in the order.",
    "below_minimum": "The order does not reach this coupon's minimum amount.",
}


def coupon_discount(coupon: Coupon, eligible_subtotal: int) -> int:
    """Never more than the items it applies to; a percent discount is rounded down to the minor unit."""
    amount = eligible_subtotal * coupon.value // 100 if coupon.kind is CouponKind.percent else coupon.value
    return min(amount, eligible_subtotal)
