"""Webhook signatures (API.md "Webhooks"): ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from oms import clock
from oms.problems import Unauthorized

TOLERANCE_SECONDS = 300


def sign(secret: str, body: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str | Sequence[str], header: str | None, body: str) -> None:
    """Raise :class:`Unauthorized` unless ``header`` signs ``body`` with ``secret`` within the window.

    ``secret`` may be several (the new and the previous one while a secret is rotated): any one verifies.
    """
    accepted = [secret] if isinstance(secret, str) else list(secret)
    accepted = [s for s in accepted if s]
    if not accepted:
        raise Unauthorized("Webhook secret is not configured.", code="invalid_signature")
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as error:
        raise Unauthorized("Missing or malformed X-Signature.", code="invalid_signature") from error
    if abs(clock.now().timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized("The signature timestamp is outside the 300 s window.", code="invalid_signature")
    # Every candidate is compared (no early exit), so the timing says nothing about which one matched.
    # Compared as bytes: a non-ASCII "signature" is simply wrong (compare_digest refuses non-ASCII str).
    offered = given.encode("utf-8", "surrogateescape")
    matches = [
        hmac.compare_digest(sign(s, body, timestamp).split("v1=", 1)[1].encode(), offered) for s in accepted
    ]
    if not any(matches):
        raise Unauthorized("The signature does not match.", code="invalid_signature")
