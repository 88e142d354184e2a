"""The one clock every rule reads.

In AWS it is the system clock. The local stack moves it (``/_local/clock``) so tests can cross
deadlines without sleeping, and its runtime hands the offset to each function's environment
(:func:`set_offset`); nothing else may change it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_lock = threading.Lock()


def now() -> datetime:
    return datetime.now(UTC) + _offset


def advance(seconds: float) -> datetime:
    global _offset
    with _lock:
        _offset += timedelta(seconds=seconds)
    return now()


def set_offset(seconds: float) -> None:
    """The local stack's runtime carries its clock into each function's environment before an invocation."""
    global _offset
    with _lock:
        _offset = timedelta(seconds=seconds)


def offset_seconds() -> float:
    return _offset.total_seconds()


def reset() -> None:
    global _offset
    with _lock:
        _offset = timedelta(0)


def iso(moment: datetime) -> str:
    """RFC 3339 UTC with millisecond precision; sorts lexically in time order."""
    utc = moment.astimezone(UTC)
    # The year is padded by hand: strftime writes year 156 as "156", which no RFC 3339 reader takes back.
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def now_iso() -> str:
    return iso(now())
