"""Buyer feedback on a completed order (用户反馈): a rating, tags and a comment, given once, editable for a while.

Pure rules: who may give it, until when, and what it adds to the reports. The window to give feedback opens
when the order completes; feedback once given can be edited for ``EDIT_DAYS``, then it is final.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from oms.problems import Conflict

GIVE_WITHIN_DAYS = 15  # after completion, as the marketplaces of the specification allow
EDIT_DAYS = 7
RATINGS = range(1, 6)

Tag = Literal[
    "as_described",
    "good_quality",
    "good_value",
    "well_packed",
    "fast_delivery",
    "helpful_service",
    "not_as_described",
    "poor_quality",
    "damaged",
    "late_delivery",
    "poor_packaging",
    "unhelpful_service",
]


class FeedbackRequest(BaseModel):
    """What the buyer sends: the whole feedback (an edit replaces it)."""

    model_config = ConfigDict(extra="forbid")

    rating: StrictInt = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    tags: list[Tag] = Field(default_factory=list, max_length=6)
    comment: str | None = Field(None, max_length=1000)

    @field_validator("tags")
    @classmethod
    def _each_once(cls, tags: list[str]) -> list[str]:
        if len(set(tags)) != len(tags):
            raise ValueError("a tag may be given once")
        return tags

    @field_validator("comment")
    @classmethod
    def _trimmed(cls, comment: str | None) -> str | None:
        return (comment or "").strip() or None


class FeedbackClosed(Conflict):
    code = "feedback_closed"
    title = "Feedback can no longer be given or changed"


class OrderNotCompleted(Conflict):
    code = "order_not_completed"
    title = "The order is not completed yet"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_can_give(order: dict[str, Any], given: dict[str, Any] | None, now: datetime) -> None:
    """Raise unless the buyer may give (or, with ``given``, change) feedback on ``order`` at ``now``."""
    if order.get("status") != "completed" or not order.get("completed_at"):
        raise OrderNotCompleted(
            "Feedback is given once the order is completed: confirm receipt first.",
            extra={"status": order.get("status")},
        )
    if given is None:
        closes = _at(order["completed_at"]) + timedelta(days=GIVE_WITHIN_DAYS)
        if now > closes:
            raise FeedbackClosed(
                f"Feedback is given within {GIVE_WITHIN_DAYS} days of completion.",
                extra={"closed_at": closes.isoformat().replace("+00:00", "Z")},
            )
        return
    closes = editable_until(given)
    if now > closes:
        raise FeedbackClosed(
            f"Feedback can be changed for {EDIT_DAYS} days after it is given; it is final now.",
            extra={"closed_at": closes.isoformat().replace("+00:00", "Z")},
        )


def editable_until(given: dict[str, Any]) -> datetime:
    return _at(given["given_at"]) + timedelta(days=EDIT_DAYS)


def report_counters(rating: int, tags: list[str], sign: int = 1) -> dict[str, int]:
    """What one feedback adds to a report row (``sign`` -1 takes an edited one's old values back out)."""
    counters = {"rating_sum": sign * rating, f"rating_{rating}": sign}
    counters.update({f"tag_{tag}": sign for tag in tags})
    return counters


def summarise(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Per ``key`` (``sku`` or ``carrier``): feedback count, average rating, the rating spread and tags."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = totals.setdefault(str(row["key"]), {})
        for name, value in row.items():
            if name in ("feedbacks", "rating_sum") or name.startswith(("rating_", "tag_")):
                counts[name] = counts.get(name, 0) + int(value)
    report = []
    for name in sorted(totals):
        c = totals[name]
        count = c.get("feedbacks", 0)
        report.append(
            {
                key: name,
                "feedbacks": count,
                "average_rating": round(c.get("rating_sum", 0) / count, 2) if count else None,
                "ratings": {str(r): c.get(f"rating_{r}", 0) for r in RATINGS},
                "tags": {t[4:]: n for t, n in sorted(c.items()) if t.startswith("tag_") and n},
            }
        )
    return report
