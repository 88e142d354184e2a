"""Identifiers: a prefix and a random or derived body (``ord_…``, ``ret_…``, ``shp_…``)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
ID_PATTERN = r"^[a-z]{2,4}_[0-9a-z]{20}$"
_ID_RE = re.compile(ID_PATTERN)


def _encode(raw: bytes, length: int = 20) -> str:
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def new_id(prefix: str) -> str:
    return f"{prefix}_{_encode(secrets.token_bytes(13))}"


def derived_id(prefix: str, *parts: str) -> str:
    """A stable id from its parts: a retried request maps to the same record."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{_encode(digest[:13])}"


def derived_sortable_id(prefix: str, moment: datetime, *parts: str) -> str:
    """A stable id from its parts that sorts by ``moment``: 9 characters of milliseconds (big-endian, so
    ids sort as their times do), then 11 of the parts' hash."""
    millis = max(0, int(moment.timestamp() * 1000))
    stamp = ""
    for _ in range(9):
        millis, digit = divmod(millis, 32)
        stamp = _ALPHABET[digit] + stamp
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{stamp}{_encode(digest[:8], 11)}"


def is_id(value: str, prefix: str) -> bool:
    return value.startswith(prefix + "_") and bool(_ID_RE.match(value))
