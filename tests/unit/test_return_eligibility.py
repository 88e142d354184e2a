"""The pure eligibility check of a return request: every problem named, in the request's own terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from oms import clock
from oms.domain.return_eligibility import ReturnNotEligible, check_request, line_eligibility, returnable
from oms.domain.return_policy import ItemProfile, Reason, ReturnPolicy

DELIVERED = datetime(2026, 11, 1, 12, tzinfo=UTC)
SOON = DELIVERED + timedelta(days=2)
POLICY = ReturnPolicy()
PROFILES = {"SHIRT": ItemProfile(sku="SHIRT"), "TEA": ItemProfile(sku="TEA", flags=["food"])}


def _order(status: str = "delivered", **shirt: int) -> dict[str, Any]:
    return {
        "status": status,
        "delivered_at": DELIVERED.isoformat(),
        "lines": [
            {"sku": "SHIRT", "shipped": 3, "return_requested": 0, **shirt},
            {"sku": "TEA", "shipped": 2},
        ],
    }


def _refused(
    order: dict[str, Any], asked: list[tuple[str, int]], reason: Reason, now: datetime = SOON
) -> Any:
    with pytest.raises(ReturnNotEligible) as refused:
        check_request(order, asked, reason, PROFILES, now, POLICY)
    return refused.value


def test_what_the_policy_allows_is_counted_per_sku() -> None:
    asked = [("SHIRT", 1), ("SHIRT", 1), ("TEA", 2)]
    assert check_request(_order(), asked, Reason.quality_issue, PROFILES, SOON, POLICY) == {
        "SHIRT": 2,
        "TEA": 2,
    }


@pytest.mark.parametrize("status", ["shipped", "cancelled"])
def test_only_a_delivered_order_can_be_returned(status: str) -> None:
    refused = _refused(_order(status), [("SHIRT", 1)], Reason.no_reason)
    assert (refused.status, refused.code, refused.errors) == (422, "return_not_eligible", [])
    assert refused.detail == "Only delivered orders can be returned."
    assert refused.extra == {"alternatives": ["repair", "partial_refund"]}


def test_every_refused_line_is_named_with_its_code() -> None:
    asked = [("MUG", 1), ("SHIRT", 2), ("SHIRT", 2), ("TEA", 1)]
    refused = _refused(_order(return_requested=1), asked, Reason.no_reason)
    assert [e.to_dict() for e in refused.errors] == [
        {"field": "items[0].sku", "message": "is not in this order", "code": "not_in_order"},
        {
            "field": "items[2].quantity",
            "message": "only 0 can still be returned",
            "code": "return_quantity_exceeded",
            "returnable_quantity": 0,
        },
        {
            "field": "items[3].sku",
            "message": "this product cannot be returned for this reason",
            "code": "excluded_product",
            "sku": "TEA",
        },
    ]
    assert refused.extra == {"alternatives": ["partial_refund"]}  # excluded, not for size: no exchange


def test_a_late_request_is_out_of_its_window() -> None:
    refused = _refused(_order(), [("SHIRT", 1)], Reason.no_reason, now=DELIVERED + timedelta(days=8))
    assert [e.to_dict() for e in refused.errors] == [
        {
            "field": "items[0].sku",
            "message": "the return window for this reason has passed",
            "code": "window_expired",
            "sku": "SHIRT",
        }
    ]
    assert refused.extra == {"alternatives": ["repair", "partial_refund"]}


def test_units_asked_already_are_not_returnable_again() -> None:
    assert returnable({"shipped": 3, "return_requested": 1}) == 2
    assert returnable({"shipped": 3, "return_requested": 1}, held=2) == 0
    assert returnable({"shipped": 1, "return_requested": 3}) == 0


def test_the_eligibility_page_lists_each_reason_with_its_deadline() -> None:
    line = {"sku": "TEA", "shipped": 2, "return_requested": 0}
    entry = line_eligibility(line, PROFILES["TEA"], DELIVERED, SOON, POLICY)
    assert (entry["sku"], entry["returnable_quantity"], entry["eligible"]) == ("TEA", 2, True)
    # Food takes no preference returns; the merchant's faults stay open for the quality window.
    assert [r["reason"] for r in entry["reasons"]] == [
        "quality_issue",
        "not_as_described",
        "wrong_item",
        "damaged_in_transit",
        "missing_parts",
    ]
    assert {r["until"] for r in entry["reasons"]} == {clock.iso(DELIVERED + timedelta(days=15))}
    assert all(r["shipping_payer"] == "merchant" and r["evidence_required"] for r in entry["reasons"])
    undelivered = line_eligibility(line, None, None, SOON, POLICY)
    assert undelivered == {"sku": "TEA", "returnable_quantity": 2, "reasons": [], "eligible": False}
