"""Every moment the store writes reads back: a deadline of any year (a typo'd one too) is RFC 3339."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from oms import clock


@given(st.datetimes(min_value=datetime(1, 1, 2), timezones=st.just(UTC)))
def test_an_iso_moment_reads_back_to_the_millisecond(moment: datetime) -> None:
    written = clock.iso(moment)
    assert len(written) == len("2026-12-03T08:00:00.000Z")
    assert clock.parse(written) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_moments_are_written_in_utc_and_sort_in_time_order() -> None:
    beijing = timezone(timedelta(hours=8))
    assert clock.iso(datetime(2026, 1, 1, 8, 0, 0, 123456, tzinfo=beijing)) == "2026-01-01T00:00:00.123Z"
    assert clock.iso(datetime(156, 2, 5, tzinfo=UTC)) < clock.iso(datetime(2026, 2, 5, tzinfo=UTC))
