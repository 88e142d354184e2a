"""Carrier aggregators' notices in common terms: which of our carriers a courier code names, and a
notice's event id (the aggregators send none that stays the same across retries for every carrier)."""

from __future__ import annotations

import hashlib
import re

from oms.domain.carriers import CARRIER_CODES

# The aggregators' courier codes (Kuaidi100 ``com``, AfterShip ``slug``, EasyPost ``carrier``), compared
# lower-case without punctuation.
ALIASES: dict[str, str] = {
    "shunfeng": "sf",
    "sfexpress": "sf",
    "sfb2c": "sf",
    "jd": "jd",
    "jingdong": "jd",
    "jdlogistics": "jd",
    "jdexpress": "jd",
    "ems": "ems",
    "chinaems": "ems",
    "chinapostems": "ems",
    "zhongtong": "zto",
    "ztoexpress": "zto",
    "yuantong": "yto",
    "ytoexpress": "yto",
    "shentong": "sto",
    "stoexpress": "sto",
    "yunda": "yunda",
    "yundaexpress": "yunda",
}


def carrier_of(courier: str) -> str | None:
    """Our carrier code for an aggregator's courier code, or None when we do not ship with it."""
    plain = re.sub(r"[^a-z0-9]", "", courier.lower())
    return plain if plain in CARRIER_CODES else ALIASES.get(plain)


def event_id(source: str, *parts: str) -> str:
    """A stable id for a notice: the same news told again has the same id (and is applied once)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{source}:{digest}"
