"""Page cursors: a query's LastEvaluatedKey, base64 JSON, checked strictly before it goes back to DynamoDB.

A cursor comes from the caller, so it is input: it must be a key of the index being read (exactly its
attributes, each a string), of the caller's own partition, or it is a 400 ``invalid_cursor`` — never a
request DynamoDB refuses (a 500) or a page of someone else's list.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from oms.problems import Problem

MAX_VALUE_LENGTH = 1024
# The attributes of a LastEvaluatedKey per index: the table's key and the index's (template.yaml).
BY_CUSTOMER_KEY = frozenset({"pk", "sk", "customer_key", "created_key"})
QUEUES_KEY = frozenset({"pk", "sk", "queue", "queue_key"})


def encode(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode(text: str | None, attributes: frozenset[str], fixed: Mapping[str, str]) -> dict[str, Any] | None:
    """The start key a cursor names; ``fixed`` are the partition values it must carry."""
    if not text:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(text.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise _invalid() from error
    if not isinstance(key, dict) or set(key) != attributes:
        raise _invalid()
    for value in key.values():
        if not (
            isinstance(value, dict)
            and set(value) == {"S"}
            and isinstance(value["S"], str)
            and 0 < len(value["S"]) <= MAX_VALUE_LENGTH
        ):
            raise _invalid()
    if any(key[name]["S"] != expected for name, expected in fixed.items()):
        raise _invalid()
    return key


def _invalid() -> Problem:
    return Problem("The cursor is not valid for this list.", code="invalid_cursor")
