"""Tracking rules: the status is a function of the set of carrier events, never of their arrival order."""

from __future__ import annotations

from random import Random

from hypothesis import given
from hypothesis import strategies as st
from oms.domain.carrier_report import summarise
from oms.domain.tracking import (
    CarrierStatus,
    current_status,
    exception_kind,
    is_terminal,
    order_delivered,
    ordered,
)

STATUSES = [s.value for s in CarrierStatus]
events = st.lists(
    st.builds(
        lambda n, status, hour: {
            "event_id": f"e{n}",
            "status": status,
            "occurred_at": f"2026-11-{10 + hour // 24:02d}T{hour % 24:02d}:00:00.000Z",
        },
        st.integers(0, 10**6),
        st.sampled_from(STATUSES),
        st.integers(0, 24 * 10 - 1),
    ),
    max_size=12,
    unique_by=lambda e: e["event_id"],
)


@given(events, st.randoms())
def test_the_status_does_not_depend_on_arrival_order(history: list[dict[str, str]], rng: Random) -> None:
    shuffled = list(history)
    rng.shuffle(shuffled)
    assert current_status(shuffled) == current_status(history)
    assert ordered(shuffled) == ordered(history)


@given(events, st.sampled_from(STATUSES))
def test_news_never_moves_a_parcel_back_from_delivered(history: list[dict[str, str]], late: str) -> None:
    delivered = [
        *history,
        {"event_id": "d", "status": "delivered", "occurred_at": "2026-11-30T00:00:00.000Z"},
    ]
    more = [*delivered, {"event_id": "late", "status": late, "occurred_at": "2026-11-01T00:00:00.000Z"}]
    assert current_status(delivered) == current_status(more) == "delivered"


def event(n: int, status: str, hour: int) -> dict[str, str]:
    return {"event_id": f"e{n}", "status": status, "occurred_at": f"2026-11-20T{hour:02d}:00:00.000Z"}


def test_a_later_event_of_the_same_stage_wins() -> None:
    hiccup = [event(1, "in_transit", 1), event(2, "exception", 2)]
    assert current_status(hiccup) == "exception"
    assert current_status([*hiccup, event(3, "in_transit", 3)]) == "in_transit"
    assert current_status([event(1, "out_for_delivery", 5), event(2, "in_transit", 6)]) == "out_for_delivery"
    assert current_status([]) == "info_received"


def test_which_events_open_an_exception() -> None:
    first = [event(1, "failed_attempt", 1)]
    second = [*first, event(2, "failed_attempt", 2)]
    assert exception_kind("failed_attempt", first) is None
    assert exception_kind("failed_attempt", second) == "delayed"
    assert exception_kind("failed_attempt", [*second, event(3, "failed_attempt", 3)]) is None
    assert exception_kind("damaged", [event(1, "damaged", 1)]) == "damaged"
    assert exception_kind("lost", [event(1, "lost", 1)]) == "lost"
    assert exception_kind("returned_to_sender", [event(1, "returned_to_sender", 1)]) == "refused"
    assert exception_kind("in_transit", [event(1, "in_transit", 1)]) is None
    delivered = [event(1, "delivered", 9)]
    assert exception_kind("exception", [*delivered, event(2, "exception", 1)]) is None  # old news
    assert exception_kind("damaged", [*delivered, event(2, "damaged", 1)]) == "damaged"  # still matters


def test_an_order_is_delivered_when_no_parcel_is_on_its_way() -> None:
    assert order_delivered(["delivered", "delivered"])
    assert order_delivered(["lost", "delivered"])  # the lost one was replaced
    assert not order_delivered(["delivered", "in_transit"])
    assert not order_delivered(["lost"])
    assert not order_delivered([])
    assert is_terminal("returned_to_sender") and not is_terminal("exception")


def test_the_carrier_report_divides_counts_of_one_cohort() -> None:
    rows = [
        {
            "carrier": "sf",
            "shipments": 3,
            "delivered": 2,
            "delivered_promised": 2,
            "on_time": 1,
            "transit_seconds": 2 * 36 * 3600,
            "exceptions": 1,
            "damaged": 1,
        },
        {"carrier": "sf", "shipments": 1},
        {"carrier": "ems", "shipments": 2, "lost": 1},
    ]
    ems, sf = summarise(rows)
    assert (sf["carrier"], sf["shipments"], sf["on_time_rate"], sf["average_transit_hours"]) == (
        "sf",
        4,
        0.5,
        36.0,
    )
    assert (sf["exception_rate"], sf["damage_rate"], sf["loss_rate"]) == (0.25, 0.25, 0.0)
    assert (ems["delivered"], ems["on_time_rate"], ems["average_transit_hours"], ems["loss_rate"]) == (
        0,
        None,
        None,
        0.5,
    )
