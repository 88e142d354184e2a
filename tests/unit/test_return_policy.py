"""The return policy: which reasons apply to which goods, until when, who pays the shipping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from oms.domain.return_policy import (
    Alternative,
    ItemProfile,
    Reason,
    ReturnPolicy,
    ShippingPayer,
    alternatives,
    auto_decision,
    deadline,
    preference_allowed,
    refusal,
    shipping_payer,
    summary,
)

DELIVERED = datetime(2026, 11, 1, 12, tzinfo=UTC)
POLICY = ReturnPolicy()
SHIRT = ItemProfile(sku="SHIRT")
TEA = ItemProfile(sku="TEA", flags=["food"])


@pytest.mark.parametrize("flag", ["intimate", "food", "perishable", "customized"])
def test_excluded_categories_take_no_preference_returns(flag: str) -> None:
    item = ItemProfile(sku="X", flags=[flag])
    assert not preference_allowed(item, POLICY)
    for reason in (Reason.no_reason, Reason.changed_mind, Reason.size_fit):
        assert refusal(reason, item, DELIVERED, DELIVERED + timedelta(days=1), POLICY) == "excluded_product"


def test_the_product_overrides_its_category_either_way() -> None:
    assert preference_allowed(ItemProfile(sku="TEA", flags=["food"], returnable=True), POLICY)
    assert not preference_allowed(ItemProfile(sku="SHIRT", returnable=False), POLICY)


def test_quality_problems_are_returnable_whatever_the_goods() -> None:
    for reason in (Reason.quality_issue, Reason.damaged_in_transit, Reason.wrong_item):
        assert refusal(reason, TEA, DELIVERED, DELIVERED + timedelta(days=10), POLICY) is None


def test_the_no_reason_window_is_seven_days_from_delivery() -> None:
    assert refusal(Reason.no_reason, SHIRT, DELIVERED, DELIVERED + timedelta(days=7), POLICY) is None
    assert (
        refusal(Reason.no_reason, SHIRT, DELIVERED, DELIVERED + timedelta(days=7, seconds=1), POLICY)
        == "window_expired"
    )
    assert deadline(Reason.no_reason, SHIRT, DELIVERED, POLICY) == DELIVERED + timedelta(days=7)


def test_the_quality_window_is_fifteen_days_or_the_products_if_longer() -> None:
    assert deadline(Reason.quality_issue, SHIRT, DELIVERED, POLICY) == DELIVERED + timedelta(days=15)
    long = ItemProfile(sku="TV", return_window_days=30)
    assert deadline(Reason.quality_issue, long, DELIVERED, POLICY) == DELIVERED + timedelta(days=30)
    assert deadline(Reason.changed_mind, long, DELIVERED, POLICY) == DELIVERED + timedelta(days=30)


def test_who_pays_the_return_shipping() -> None:
    assert shipping_payer(Reason.wrong_item, POLICY) is ShippingPayer.merchant
    assert shipping_payer(Reason.no_reason, POLICY) is ShippingPayer.buyer
    subsidised = ReturnPolicy(preference_shipping_payer=ShippingPayer.platform_subsidy)
    assert shipping_payer(Reason.size_fit, subsidised) is ShippingPayer.platform_subsidy


@pytest.mark.parametrize(
    ("reason", "evidence", "code", "decision"),
    [
        (Reason.quality_issue, ["https://img.example/1.jpg"], None, "approve"),
        (Reason.quality_issue, [], None, "manual"),
        (Reason.no_reason, [], None, "approve"),
        (Reason.changed_mind, [], None, "manual"),
        (Reason.no_reason, [], "window_expired", "reject"),
        (Reason.size_fit, [], "excluded_product", "reject"),
    ],
)
def test_the_rules_decide_what_they_can(
    reason: Reason, evidence: list[str], code: str | None, decision: str
) -> None:
    assert auto_decision(reason, evidence, code, POLICY) == decision


def test_a_refusal_always_leaves_an_alternative() -> None:
    assert alternatives(Reason.quality_issue, "window_expired") == [
        Alternative.repair,
        Alternative.exchange,
        Alternative.partial_refund,
    ]
    assert alternatives(Reason.size_fit, "excluded_product") == [Alternative.exchange]
    assert alternatives(Reason.no_reason, "window_expired") == [
        Alternative.repair,
        Alternative.partial_refund,
    ]


def test_the_summary_shown_on_the_product_page() -> None:
    assert summary(TEA, POLICY) == {
        "returnable": False,
        "no_reason_days": 0,
        "quality_days": 15,
        "return_shipping": {"merchant_fault": "merchant", "preference": "buyer"},
    }
    assert summary(SHIRT, POLICY)["no_reason_days"] == 7
