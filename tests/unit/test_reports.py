"""The order and return reports: what each event counts for, and the figures a period's counters give."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from oms.domain import reports
from oms.domain.reports import counts_for, order_report, report_period, return_report
from oms.problems import ValidationProblem

TODAY = date(2026, 11, 26)


def order(**fields: Any) -> dict[str, Any]:
    return {
        "id": "ord_1",
        "channel": "web",
        "totals": {"total": 12900, "currency": "CNY"},
        "paid_at": "2026-11-25T08:00:00.000Z",
        "lines": [
            {"sku": "TEA-1", "quantity": 2, "shipped": 2, "category": "food"},
            {"sku": "MUG-1", "quantity": 1, "shipped": 1, "category": "kitchen"},
            {"sku": "CUP-1", "quantity": 1, "shipped": 1, "category": "kitchen"},
        ],
        "timeline": [
            {"at": "2026-11-25T07:00:00.000Z", "type": "placed"},
            {"at": "2026-11-25T14:00:00.000Z", "type": "ship_all"},
        ],
        **fields,
    }


def event(at: str = "2026-11-25T10:00:00.000Z", **detail: Any) -> dict[str, Any]:
    return {"event_id": "e1", "occurred_at": at, "order_id": "ord_1", **detail}


def added(detail_type: str, detail: dict[str, Any], *args: Any) -> dict[tuple[str, str], dict[str, int]]:
    counts = counts_for(detail_type, detail, *args)
    assert counts is not None
    return {(dim, key): c for dim, key, c in counts.items()}


# ---------------------------------------------------------------------------------------- periods


def test_a_period_defaults_to_the_last_thirty_days_up_to_today() -> None:
    assert report_period(None, None, TODAY) == (date(2026, 10, 28), TODAY)
    assert report_period("2026-11-01", "2026-11-03", TODAY) == (date(2026, 11, 1), date(2026, 11, 3))


def test_a_time_with_an_offset_counts_in_its_utc_day() -> None:
    assert report_period("2026-11-25T02:00:00+08:00", "2026-11-25T23:30:00-02:00", TODAY) == (
        date(2026, 11, 24),
        date(2026, 11, 26),
    )
    assert reports.parse_moment("2026-11-25", "to", end=True) == datetime(
        2026, 11, 25, 23, 59, 59, 999999, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-11-05", "2026-11-01", "from"),  # backwards
        ("2025-01-01", "2026-11-01", "from"),  # more than a year
        ("2026-02-30", "2026-03-01", "from"),  # no such day
        ("2026-11-01", "2026-11-01Tnoon", "to"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_field(first: str, last: str, field: str) -> None:
    with pytest.raises(ValidationProblem) as refused:
        report_period(first, last, TODAY)
    assert refused.value.status == 422 and refused.value.errors[0].field == field


def test_months_covers_every_partition_of_the_period() -> None:
    assert reports.months(date(2025, 12, 31), date(2026, 2, 1)) == ["2025-12", "2026-01", "2026-02"]


# ---------------------------------------------------------------------------------------- counting


def test_an_order_placed_counts_its_gmv_in_its_currency_on_its_utc_day() -> None:
    counts = counts_for("OrderPlaced", event("2026-11-25T23:59:59.999Z"), order())
    assert counts is not None and counts.day == "2026-11-25"
    assert {(d, k): c for d, k, c in counts.items()} == {
        ("all", "-"): {"orders": 1},
        ("currency", "CNY"): {"orders": 1, "gmv": 12900},
        ("channel", "web"): {"orders": 1},
    }


def test_fulfilment_runs_from_payment_to_the_whole_order_shipped() -> None:
    assert added("OrderShipped", event(complete=True), order()) == {
        ("all", "-"): {"fulfilled": 1, "fulfilment_seconds": 6 * 3600}
    }
    assert counts_for("OrderShipped", event(complete=False), order()) is None  # a part only
    assert counts_for("OrderShipped", event(complete=True, reship=True), order()) is None


def test_delivery_counts_the_time_since_dispatch_and_each_sku_and_category_once() -> None:
    delivered = order(delivered_at="2026-11-27T14:00:00.000Z")
    assert added("OrderDelivered", event("2026-11-27T14:00:01.000Z"), delivered) == {
        ("all", "-"): {"delivered": 1, "delivery_timed": 1, "delivery_seconds": 48 * 3600},
        ("channel", "web"): {"delivered": 1},
        ("sku", "CUP-1"): {"delivered": 1},
        ("sku", "MUG-1"): {"delivered": 1},
        ("sku", "TEA-1"): {"delivered": 1},
        ("category", "food"): {"delivered": 1},
        ("category", "kitchen"): {"delivered": 1},
    }


def test_only_the_first_exception_of_an_order_makes_it_an_exception_order() -> None:
    listed = order(exceptions=[{"id": "exc_a"}, {"id": "exc_b"}])
    assert added("OrderException", event(exception_id="exc_a", kind="lost"), listed)[("all", "-")] == {
        "exceptions": 1,
        "exception_orders": 1,
    }
    second = added("OrderException", event(exception_id="exc_b", kind="delayed"), listed)
    assert second == {("all", "-"): {"exceptions": 1}, ("exception_kind", "delayed"): {"exceptions": 1}}


def a_return(**fields: Any) -> dict[str, Any]:
    return {
        "id": "ret_1",
        "reason": "size_fit",
        "channel": "app",
        "items": [{"sku": "TEA-1", "quantity": 1}, {"sku": "MUG-1", "quantity": 1}],
        "category": ["food", None],
        "refund_method": "original_payment",
        **fields,
    }


def test_a_return_request_counts_per_reason_channel_sku_and_category() -> None:
    assert added("ReturnRequested", event(return_id="ret_1"), order(), a_return()) == {
        ("all", "-"): {"returns": 1},
        ("reason", "size_fit"): {"returns": 1},
        ("channel", "app"): {"returns": 1},
        ("sku", "MUG-1"): {"returns": 1},
        ("sku", "TEA-1"): {"returns": 1},
        ("category", "food"): {"returns": 1},
        ("category", "uncategorised"): {"returns": 1},
    }


def test_the_review_sla_applies_to_returns_held_for_a_person_only() -> None:
    due = "2026-11-26T10:00:00.000Z"
    in_time = a_return(review_due_at=due, decision={"at": "2026-11-26T09:59:59.000Z"})
    late = a_return(review_due_at=due, decision={"at": "2026-11-26T10:00:00.001Z"})
    assert added("ReturnApproved", event(), order(), in_time) == {
        ("all", "-"): {"approved": 1, "review_met": 1}
    }
    assert added("ReturnRejected", event(), order(), late) == {
        ("all", "-"): {"rejected": 1, "review_breached": 1}
    }
    by_rules = a_return(decision={"at": "2026-11-26T09:00:00.000Z"})
    assert added("ReturnApproved", event(), order(), by_rules) == {("all", "-"): {"approved": 1}}


def test_the_refund_sla_runs_from_inspection_by_refund_method() -> None:
    inspected = {"inspection": {"at": "2026-11-25T10:00:00.000Z"}}
    card = a_return(**inspected)
    balance = a_return(refund_method="balance", **inspected)
    at_72h = event("2026-11-28T10:00:00.000Z", return_id="ret_1")
    assert added("RefundIssued", at_72h, order(), card) == {("all", "-"): {"refunds": 1, "refund_met": 1}}
    assert added("RefundIssued", at_72h, order(), balance) == {
        ("all", "-"): {"refunds": 1, "refund_breached": 1}
    }
    assert counts_for("RefundIssued", at_72h, order(), a_return()) is None  # not a return's refund


def test_presale_deposits_and_balances_never_paid_are_counted() -> None:
    assert added("DepositPaid", event(amount=1000), order()) == {("all", "-"): {"deposits": 1}}
    unpaid = added("OrderCancelled", event(reason="balance_unpaid"), order())
    assert unpaid == {("all", "-"): {"cancelled": 1, "balance_unpaid": 1}}
    assert added("OrderCancelled", event(reason="staff"), order()) == {("all", "-"): {"cancelled": 1}}
    rows = [row("all", "2026-11-01", deposits=3), row("all", "2026-11-02", cancelled=1, balance_unpaid=1)]
    totals = order_report(rows, date(2026, 11, 1), date(2026, 11, 2))["totals"]
    assert (totals["presale_deposits"], totals["presale_balance_unpaid"]) == (3, 1)


def test_an_edit_counts_once_when_it_takes_effect_or_lapses() -> None:
    def edited(state: str) -> Any:
        return counts_for(
            "OrderEdited", event(edit_id="edt_1", state=state, total=100, difference=-50), order()
        )

    assert added("OrderEdited", event(edit_id="e", state="applied"), order()) == {("all", "-"): {"edits": 1}}
    assert added("OrderEdited", event(edit_id="e", state="balance_paid"), order()) == {
        ("all", "-"): {"edits": 1}
    }
    assert added("OrderEdited", event(edit_id="e", state="lapsed"), order()) == {
        ("all", "-"): {"edits_lapsed": 1}
    }
    assert edited("awaiting_balance") is None  # not yet an edit, nor a lapse
    rows = [row("all", "2026-11-01", edits=2), row("all", "2026-11-02", edits=1, edits_lapsed=1)]
    totals = order_report(rows, date(2026, 11, 1), date(2026, 11, 2))["totals"]
    assert (totals["edits"], totals["edits_lapsed"]) == (3, 1)


def test_instant_refunds_and_their_disputes_are_counted_and_rated() -> None:
    instant = event(refund_id="ref_1", amount=12900, reason="instant_return")
    assert added("RefundIssued", instant, order()) == {("all", "-"): {"instant_refunds": 1}}
    disputed = event(exception_id="exc_1", kind="instant_refund_disputed")
    assert added("OrderException", disputed, order())[("all", "-")]["instant_refund_disputes"] == 1
    rows = [
        row("all", "2026-11-01", instant_refunds=3),
        row("all", "2026-11-02", instant_refunds=1, instant_refund_disputes=1),
    ]
    report = return_report(rows, date(2026, 11, 1), date(2026, 11, 2))
    assert (report["instant_refunds"], report["instant_refund_disputes"]) == (4, 1)
    assert report["instant_dispute_rate"] == 0.25


def test_exchange_replacements_and_other_events_count_for_nothing() -> None:
    assert counts_for("OrderDelivered", event(), order(replaces_order_id="ord_0")) is None
    assert counts_for("ReturnMessage", event(), order(), a_return()) is None
    assert counts_for("OrderPlaced", event(), None) is None  # the order is gone: nothing to count


# ---------------------------------------------------------------------------------------- reading


def row(dimension: str, day: str, key: str = "-", **counters: int) -> dict[str, Any]:
    return {"pk": "x", "sk": "y", "dimension": dimension, "day": day, "key": key, **counters}


def test_the_order_report_sums_days_and_divides_counts_of_the_period() -> None:
    rows = [
        row("all", "2026-11-01", orders=3, cancelled=1, exceptions=2, exception_orders=1),
        row("all", "2026-11-02", orders=1, fulfilled=2, fulfilment_seconds=3 * 3600),
        row("all", "2026-11-02", delivered=1, delivery_timed=1, delivery_seconds=50 * 3600),
        row("currency", "2026-11-01", "CNY", orders=3, gmv=30000),
        row("currency", "2026-11-02", "USD", orders=1, gmv=999),
        row("exception_kind", "2026-11-01", "lost", exceptions=2),
        row("all", "2026-10-31", orders=50),  # outside the period: not shown by day
    ]
    report = order_report(rows[:-1], date(2026, 11, 1), date(2026, 11, 3))
    assert [d["date"] for d in report["days"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert report["days"][0] == {
        "date": "2026-11-01",
        "orders": 3,
        "paid": 0,
        "gmv": {"CNY": 30000},
        "cancelled": 1,
        "exceptions": 2,
        "delivered": 0,
    }
    totals = report["totals"]
    assert totals["orders"] == 4 and totals["gmv"] == {"CNY": 30000, "USD": 999}
    assert (totals["cancellation_rate"], totals["exception_rate"]) == (0.25, 0.25)
    assert (totals["fulfilment_hours_avg"], totals["delivery_hours_avg"]) == (1.5, 50.0)
    assert report["exceptions_by_kind"] == {"lost": 2}


def test_an_empty_period_has_no_rates_rather_than_zero() -> None:
    report = order_report([], date(2026, 11, 1), date(2026, 11, 1))
    assert report["totals"]["cancellation_rate"] is None and report["totals"]["delivery_hours_avg"] is None
    returns = return_report([], date(2026, 11, 1), date(2026, 11, 1))
    assert returns["return_rate"] is None and returns["review_sla"] == {
        "met": 0,
        "breached": 0,
        "compliance": None,
    }


def test_the_return_report_rates_each_breakdown_against_its_own_deliveries() -> None:
    rows = [
        row(
            "all",
            "2026-11-01",
            delivered=8,
            returns=2,
            approved=3,
            rejected=1,
            review_met=3,
            review_breached=1,
        ),
        row("all", "2026-11-02", refund_met=1, refund_breached=1),
        row("reason", "2026-11-01", "size_fit", returns=2),
        row("sku", "2026-11-01", "TEA-1", delivered=4, returns=2),
        row("sku", "2026-11-01", "MUG-1", delivered=4),
        row("category", "2026-11-01", "food", delivered=5, returns=1),
        row("category", "2026-11-02", "food", returns=1),
        row("channel", "2026-11-01", "web", delivered=8, returns=2),
    ]
    report = return_report(rows, date(2026, 11, 1), date(2026, 11, 2))
    assert (report["returns"], report["return_rate"]) == (2, 0.25)
    assert report["by_reason"] == [{"reason": "size_fit", "returns": 2, "delivered": 8, "rate": 0.25}]
    assert report["by_sku"] == [{"sku": "TEA-1", "returns": 2, "delivered": 4, "rate": 0.5}]
    assert report["by_category"] == [{"category": "food", "returns": 2, "delivered": 5, "rate": 0.4}]
    assert report["by_channel"] == [{"channel": "web", "returns": 2, "delivered": 8, "rate": 0.25}]
    assert report["approval_rate"] == 0.75
    assert report["review_sla"] == {"met": 3, "breached": 1, "compliance": 0.75}
    assert report["refund_sla"] == {"met": 1, "breached": 1, "compliance": 0.5}
