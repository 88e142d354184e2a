"""Coupons: when one applies (coupon_refusal), what it takes off (coupon_discount), what a valid coupon is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from oms.domain.coupons import REFUSAL_MESSAGES, Coupon, CouponUsage, coupon_discount, coupon_refusal
from pydantic import ValidationError

from tests.unit.order_builders import NOW, coupon


def refusal(
    offer: Coupon | None, usage: CouponUsage | None = None, eligible: int = 10_000, **kw: object
) -> str | None:
    currency = str(kw.get("currency", "CNY"))
    now = kw.get("now", NOW)
    assert isinstance(now, datetime)
    return coupon_refusal(offer, usage or CouponUsage(), eligible, currency, now)


# ---------------------------------------------------------------- refusals, one by one


def test_a_valid_coupon_is_not_refused() -> None:
    assert refusal(coupon()) is None


def test_a_missing_coupon_is_unknown() -> None:
    assert refusal(None) == "unknown"


def test_a_deactivated_coupon_is_unknown() -> None:
    assert refusal(coupon(active=False)) == "unknown"


def test_before_its_start_a_coupon_is_not_started() -> None:
    assert refusal(coupon(starts_at=NOW + timedelta(seconds=1))) == "not_started"
    assert refusal(coupon(starts_at=NOW)) is None


def test_from_its_end_a_coupon_is_expired() -> None:
    assert refusal(coupon(ends_at=NOW)) == "expired"
    assert refusal(coupon(ends_at=NOW + timedelta(seconds=1))) is None


def test_a_coupon_used_up_overall_is_exhausted() -> None:
    assert refusal(coupon(total_limit=3), CouponUsage(used=3)) == "exhausted"
    assert refusal(coupon(total_limit=3), CouponUsage(used=2)) is None


def test_a_coupon_the_customer_used_up_is_already_used() -> None:
    assert refusal(coupon(per_customer_limit=1), CouponUsage(used=1, used_by_customer=1)) == "already_used"
    assert refusal(coupon(per_customer_limit=2), CouponUsage(used=1, used_by_customer=1)) is None


def test_no_limits_means_any_usage() -> None:
    assert refusal(coupon(), CouponUsage(used=10**6, used_by_customer=10**3)) is None


def test_nothing_eligible_is_not_applicable() -> None:
    assert refusal(coupon(), eligible=0) == "not_applicable"


def test_below_the_minimum_subtotal() -> None:
    assert refusal(coupon(min_subtotal=5000), eligible=4999) == "below_minimum"
    assert refusal(coupon(min_subtotal=5000), eligible=5000) is None


def test_a_fixed_coupon_in_another_currency_is_refused() -> None:
    assert refusal(coupon(kind="fixed", value=500, currency="USD")) == "currency"


def test_a_percent_coupon_in_another_currency_is_refused_too() -> None:
    assert refusal(coupon(kind="percent", value=10, currency="USD")) == "currency"


# ---------------------------------------------------------------- which reason wins


@pytest.mark.parametrize(
    ("offer", "usage", "eligible", "reason"),
    [
        (coupon(active=False, ends_at=NOW - timedelta(days=1)), CouponUsage(), 1, "unknown"),
        (coupon(kind="fixed", value=1, currency="USD", ends_at=NOW), CouponUsage(), 1, "currency"),
        (
            coupon(starts_at=NOW + timedelta(days=1), total_limit=1),
            CouponUsage(used=1),
            1,
            "not_started",
        ),
        (coupon(ends_at=NOW, total_limit=1), CouponUsage(used=1), 1, "expired"),
        (
            coupon(total_limit=1, per_customer_limit=1),
            CouponUsage(used=1, used_by_customer=1),
            0,
            "exhausted",
        ),
        (coupon(per_customer_limit=1), CouponUsage(used_by_customer=1), 0, "already_used"),
        (coupon(min_subtotal=100), CouponUsage(), 0, "not_applicable"),
    ],
)
def test_the_first_reason_in_the_documented_order_is_given(
    offer: Coupon, usage: CouponUsage, eligible: int, reason: str
) -> None:
    """unknown, currency, not_started, expired, exhausted, already_used, not_applicable, below_minimum."""
    assert refusal(offer, usage, eligible) == reason


def test_every_reason_has_a_message_for_the_shopper() -> None:
    assert set(REFUSAL_MESSAGES) == {
        "unknown",
        "currency",
        "not_started",
        "expired",
        "exhausted",
        "already_used",
        "not_applicable",
        "below_minimum",
    }
    assert all(message.endswith(".") for message in REFUSAL_MESSAGES.values())


# ---------------------------------------------------------------- the discount


@pytest.mark.parametrize(
    ("value", "eligible", "discount"),
    [
        (10, 7800, 780),
        (15, 3333, 499),  # 499.95 rounds down
        (1, 99, 0),  # 0.99 rounds down to nothing
        (100, 4321, 4321),
        (50, 0, 0),
    ],
)
def test_percent_discount_is_rounded_down(value: int, eligible: int, discount: int) -> None:
    assert coupon_discount(coupon(kind="percent", value=value), eligible) == discount


@pytest.mark.parametrize(
    ("value", "eligible", "discount"),
    [(500, 7800, 500), (7800, 7800, 7800), (10_000, 7800, 7800), (1, 1, 1)],
)
def test_fixed_discount_never_exceeds_what_it_applies_to(value: int, eligible: int, discount: int) -> None:
    assert coupon_discount(coupon(kind="fixed", value=value), eligible) == discount


# ---------------------------------------------------------------- what a coupon may be


def test_coupon_defaults() -> None:
    offer = Coupon.model_validate({"code": "WELCOME", "kind": "fixed", "value": 1000})
    assert offer.model_dump() == {
        "code": "WELCOME",
        "kind": "fixed",
        "value": 1000,
        "currency": "CNY",
        "min_subtotal": 0,
        "starts_at": None,
        "ends_at": None,
        "total_limit": None,
        "per_customer_limit": None,
        "categories": [],
        "active": True,
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "percent", "value": 101},
        {"kind": "percent", "value": 0},
        {"kind": "fixed", "value": -5},
        {"kind": "bogo", "value": 1},
        {"kind": "fixed", "value": 1, "starts_at": NOW, "ends_at": NOW},
        {"kind": "fixed", "value": 1, "starts_at": NOW, "ends_at": NOW - timedelta(days=1)},
        {"kind": "fixed", "value": 1, "total_limit": 0},
        {"kind": "fixed", "value": 1, "per_customer_limit": 0},
        {"kind": "fixed", "value": 1, "min_subtotal": -1},
        {"kind": "fixed", "value": 1, "currency": "cny"},
        {"kind": "fixed", "value": 1, "code": "lower"},
        {"kind": "fixed", "value": 1, "code": "X"},
        {"kind": "fixed", "value": 1, "surprise": True},
    ],
)
def test_nonsense_coupons_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Coupon.model_validate({"code": "SAVE10", **fields})


def test_a_time_without_an_offset_is_read_as_utc() -> None:
    """A back-office entry without "Z" must still compare with the clock instead of crashing the order."""
    offer = coupon(starts_at=datetime(2026, 11, 25, 8, 0), ends_at="2026-11-26T08:00:00")
    assert offer.starts_at == NOW
    assert offer.ends_at == NOW + timedelta(days=1)
    assert refusal(offer, now=NOW - timedelta(seconds=1)) == "not_started"
    assert refusal(offer, now=NOW) is None
    assert refusal(offer, now=NOW + timedelta(days=1)) == "expired"


def test_times_in_other_offsets_are_kept_as_the_same_instant() -> None:
    shanghai = datetime.fromisoformat("2026-11-25T16:00:00+08:00")
    offer = coupon(starts_at=shanghai)
    assert offer.starts_at == NOW
    assert offer.starts_at is not None and offer.starts_at.tzinfo is UTC
