"""Buyer feedback: who may give it and until when, what a request may hold, and what it adds to reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from oms.domain import feedback, reports
from oms.domain.feedback import FeedbackClosed, FeedbackRequest, OrderNotCompleted, check_can_give
from pydantic import ValidationError

COMPLETED = {"status": "completed", "completed_at": "2026-11-01T10:00:00Z"}
DONE = datetime(2026, 11, 1, 10, tzinfo=UTC)


def test_feedback_waits_for_completion() -> None:
    with pytest.raises(OrderNotCompleted) as refused:
        check_can_give({"status": "delivered"}, None, DONE)
    assert refused.value.status == 409 and refused.value.code == "order_not_completed"


def test_feedback_is_given_within_the_window_after_completion() -> None:
    check_can_give(COMPLETED, None, DONE + timedelta(days=feedback.GIVE_WITHIN_DAYS))
    with pytest.raises(FeedbackClosed) as late:
        check_can_give(COMPLETED, None, DONE + timedelta(days=feedback.GIVE_WITHIN_DAYS, seconds=1))
    assert late.value.extra["closed_at"] == "2026-11-16T10:00:00Z"


def test_feedback_is_editable_for_seven_days_after_it_is_given_then_final() -> None:
    given = {"given_at": "2026-11-10T08:00:00Z"}
    # Edits are judged from when it was given, not from completion: past the give window is fine.
    check_can_give(COMPLETED, given, datetime(2026, 11, 17, 8, tzinfo=UTC))
    with pytest.raises(FeedbackClosed) as final:
        check_can_give(COMPLETED, given, datetime(2026, 11, 17, 8, 0, 1, tzinfo=UTC))
    assert final.value.code == "feedback_closed"


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "5"},
        {"rating": 4.5},
        {"rating": 4, "tags": ["fast_delivery", "fast_delivery"]},
        {"rating": 4, "tags": ["not_a_tag"]},
        {"rating": 4, "comment": "x" * 1001},
        {"rating": 4, "extra": 1},
        {},
    ],
)
def test_a_bad_request_names_what_is_wrong(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FeedbackRequest.model_validate(body)


def test_a_blank_comment_is_no_comment() -> None:
    assert FeedbackRequest(rating=5, comment="   ").comment is None


def _counted(detail: dict[str, object]) -> dict[tuple[str, str], dict[str, int]]:
    counts = reports.counts_for("FeedbackGiven", {"occurred_at": "2026-11-10T08:00:00Z", **detail})
    assert counts is not None
    return {(dim, key): c for dim, key, c in counts.items()}


def test_a_first_feedback_counts_once_per_sku_and_carrier() -> None:
    added = _counted({"rating": 4, "tags": ["fast_delivery"], "skus": ["TEA", "CUP"], "carriers": ["sf"]})
    expected = {"feedbacks": 1, "rating_sum": 4, "rating_4": 1, "tag_fast_delivery": 1}
    assert added == {
        ("feedback_sku", "TEA"): expected,
        ("feedback_sku", "CUP"): expected,
        ("feedback_carrier", "sf"): expected,
    }


def test_an_edit_swaps_the_old_rating_and_tags_for_the_new_and_counts_no_second_feedback() -> None:
    edit = {
        "rating": 2,
        "tags": ["damaged"],
        "skus": ["TEA"],
        "carriers": [],
        "previous_rating": 4,
        "previous_tags": ["fast_delivery"],
    }
    assert _counted(edit) == {
        ("feedback_sku", "TEA"): {
            "rating_sum": -2,
            "rating_4": -1,
            "rating_2": 1,
            "tag_fast_delivery": -1,
            "tag_damaged": 1,
        }
    }


def test_an_edit_that_changes_nothing_counts_nothing() -> None:
    same = {
        "rating": 5,
        "tags": [],
        "skus": ["TEA"],
        "carriers": ["sf"],
        "previous_rating": 5,
        "previous_tags": [],
    }
    assert reports.counts_for("FeedbackGiven", {"occurred_at": "2026-11-10T08:00:00Z", **same}) is None


def test_the_report_averages_ratings_per_sku_over_the_days_of_the_period() -> None:
    rows = [
        {
            "dimension": "feedback_sku",
            "key": "TEA",
            "feedbacks": 1,
            "rating_sum": 4,
            "rating_4": 1,
            "tag_damaged": 1,
        },
        {
            "dimension": "feedback_sku",
            "key": "TEA",
            "feedbacks": 2,
            "rating_sum": 7,
            "rating_5": 1,
            "rating_2": 1,
        },
        # a later edit of the first: 4 -> 1, the tag taken back
        {
            "dimension": "feedback_sku",
            "key": "TEA",
            "rating_sum": -3,
            "rating_4": -1,
            "rating_1": 1,
            "tag_damaged": -1,
        },
        {"dimension": "feedback_carrier", "key": "sf", "feedbacks": 1, "rating_sum": 5, "rating_5": 1},
    ]
    report = reports.feedback_report(rows, DONE.date(), DONE.date())
    assert report["skus"] == [
        {
            "sku": "TEA",
            "feedbacks": 3,
            "average_rating": round(8 / 3, 2),
            "ratings": {"1": 1, "2": 1, "3": 0, "4": 0, "5": 1},
            "tags": {},
        }
    ]
    assert report["carriers"][0]["carrier"] == "sf" and report["carriers"][0]["average_rating"] == 5.0
