"""The caller's groups, matched by exact name.

API Gateway's JWT authorizer hands a list claim to the function flattened into one string, ``"[a b]"``,
which cannot tell the groups ``["store admin"]`` from ``["store", "admin"]``. The token it verified is
in the request's ``Authorization`` header, so the claim is read from that token's own JSON when it is the
caller's (same subject); the flattened string is the fallback, split only where API Gateway joins.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

GROUPS_CLAIM = "cognito:groups"


def bearer_token(event: dict[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    value = next((v for k, v in headers.items() if str(k).lower() == "authorization"), None)
    if not isinstance(value, str) or not value.lower().startswith("bearer "):
        return None
    return value[7:].strip()


def groups_of_token(token: str | None, subject: str) -> frozenset[str] | None:
    """The groups in the verified token's payload; None when the token cannot be read or is not the caller's."""
    if not token or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(claims, dict) or claims.get("sub") != subject:
        return None
    raw = claims.get(GROUPS_CLAIM)
    if raw is None:
        return frozenset()
    if isinstance(raw, list):
        return frozenset(g for g in raw if isinstance(g, str))
    return frozenset([raw]) if isinstance(raw, str) else frozenset()


def groups_of_claim(raw: Any) -> frozenset[str]:
    """The claim as API Gateway passes it: ``"[a b]"`` for a list, the value itself for one string."""
    if isinstance(raw, list):
        return frozenset(g for g in raw if isinstance(g, str))
    if not isinstance(raw, str) or not raw:
        return frozenset()
    if raw.startswith("[") and raw.endswith("]"):
        return frozenset(g for g in raw[1:-1].split(" ") if g)
    return frozenset([raw])
