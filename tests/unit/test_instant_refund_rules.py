"""The instant-refund policy: who is trusted, up to how much, and what an inspection reckons."""

from __future__ import annotations

import pytest
from oms.domain.instant_refund import BuyerRecord, InstantRefundPolicy, reckon, refusal
from oms.domain.return_policy import ReturnPolicy

POLICY = InstantRefundPolicy()
TRUSTED = BuyerRecord(completed_orders=10, returns=1, disputed_returns=0)


def test_a_trusted_buyer_within_the_limits_is_refunded_at_once() -> None:
    assert refusal(POLICY, TRUSTED, 12_900, refunded_today=0) is None
    assert refusal(POLICY, TRUSTED, POLICY.max_amount, refunded_today=0) is None


@pytest.mark.parametrize(
    ("record", "amount", "today", "code"),
    [
        (BuyerRecord(2, 0, 0), 1000, 0, "too_few_completed_orders"),
        (BuyerRecord(10, 4, 0), 1000, 0, "return_rate_too_high"),
        (BuyerRecord(10, 1, 1), 1000, 0, "disputed_returns_on_record"),
        (TRUSTED, POLICY.max_amount + 1, 0, "amount_over_limit"),
        (TRUSTED, 20_000, POLICY.max_amount_per_day - 19_999, "daily_limit_reached"),
        (TRUSTED, 0, 0, "nothing_to_refund"),
    ],
)
def test_each_limit_sends_the_refund_to_inspection(
    record: BuyerRecord, amount: int, today: int, code: str
) -> None:
    assert refusal(POLICY, record, amount, today) == code


def test_the_policy_is_data_published_with_the_return_policy() -> None:
    off = InstantRefundPolicy(enabled=False)
    assert refusal(off, TRUSTED, 1000, 0) == "instant_refund_disabled"
    published = ReturnPolicy().model_dump(mode="json")["instant_refund"]
    assert published["min_completed_orders"] == 3 and published["max_amount_per_day"] == 100_000


def test_an_inspection_that_finds_less_lowers_trust_and_one_that_finds_more_tops_up() -> None:
    wrong, lowered = reckon(paid=12_900, owed=0, disputed=True)
    assert (wrong.shortfall, wrong.top_up, lowered) == (12_900, 0, True)
    short, lowered = reckon(paid=12_900, owed=10_000, disputed=False)
    assert (short.shortfall, lowered) == (2_900, True)
    more, lowered = reckon(paid=12_900, owed=13_900, disputed=False)
    assert (more.top_up, more.shortfall, lowered) == (1_000, 0, False)
    even, lowered = reckon(paid=12_900, owed=12_900, disputed=False)
    assert (even.top_up, even.shortfall, lowered) == (0, 0, False)
