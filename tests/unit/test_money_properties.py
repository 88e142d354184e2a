"""Properties of the money rules: exact splits and discounts that never overshoot."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from oms.domain.coupons import Coupon, CouponKind, coupon_discount
from oms.domain.money import allocate

amounts = st.integers(min_value=0, max_value=10**12)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30).filter(
    lambda ws: sum(ws) > 0
)


@settings(max_examples=300)
@given(amount=amounts, weights=weight_lists)
def test_allocate_is_exact_and_proportional(amount: int, weights: list[int]) -> None:
    parts = allocate(amount, weights)
    total = sum(weights)

    assert len(parts) == len(weights)
    assert sum(parts) == amount
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(amount * weight, total)
        assert part >= 0
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


@settings(max_examples=100)
@given(amount=amounts, weights=weight_lists)
def test_allocate_never_gives_a_line_more_than_its_weight_when_the_amount_fits(
    amount: int, weights: list[int]
) -> None:
    """A discount no larger than the lines it covers never makes a line cost less than nothing."""
    amount = min(amount, sum(weights))
    assert all(part <= weight for part, weight in zip(allocate(amount, weights), weights, strict=True))


@settings(max_examples=100)
@given(weights=st.lists(st.integers(min_value=0, max_value=10**6), max_size=30))
def test_allocating_nothing_gives_zeros(weights: list[int]) -> None:
    assert allocate(0, weights) == [0] * len(weights)


coupons = st.one_of(
    st.builds(Coupon, code=st.just("PCT"), kind=st.just(CouponKind.percent), value=st.integers(1, 100)),
    st.builds(Coupon, code=st.just("FIX"), kind=st.just(CouponKind.fixed), value=st.integers(1, 10**10)),
)


@settings(max_examples=300)
@given(offer=coupons, eligible=st.integers(min_value=0, max_value=10**11))
def test_coupon_discount_is_between_zero_and_the_eligible_subtotal(offer: Coupon, eligible: int) -> None:
    discount = coupon_discount(offer, eligible)
    assert 0 <= discount <= eligible
    if offer.kind is CouponKind.percent:
        assert discount == Fraction(eligible * offer.value, 100).__floor__()
    else:
        assert discount == min(offer.value, eligible)
