"""The HTTP API's JWT authorizer, played locally with HS256 tokens signed with ``LOCAL_JWT_SECRET``.

In AWS the authorizer checks an OIDC issuer's RS256 tokens; locally the same claims (``sub``,
``cognito:groups``, ``iss``, ``aud``, ``exp``) come in tokens anyone with the documented secret can mint,
and are handed to the handler as API Gateway hands them: every claim a string, lists as ``[a b]``.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from oms_local import DEFAULT_JWT_SECRET
from oms_local.template import Template

DEFAULT_CUSTOMER = "cus_demo"
DEFAULT_ADMIN = "adm_demo"
DEFAULT_TTL_SECONDS = 3600

# The documented local secret is short on purpose (easy to type); it guards nothing real.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)


class TokenRejected(Exception):
    """The request carries no usable token (the gateway answers 401)."""


@dataclass(frozen=True)
class JwtSettings:
    secret: str
    issuer: str
    audience: tuple[str, ...]
    header: str = "authorization"

    @classmethod
    def from_template(cls, template: Template, secret: str | None = None) -> JwtSettings:
        authorizer = template.authorizer
        return cls(
            secret=secret or os.environ.get("LOCAL_JWT_SECRET") or DEFAULT_JWT_SECRET,
            issuer=authorizer.issuer if authorizer else template.parameters.get("JwtIssuer", ""),
            audience=authorizer.audience if authorizer else (template.parameters.get("JwtAudience", ""),),
            header=authorizer.identity_header if authorizer else "authorization",
        )


def mint(
    settings: JwtSettings,
    subject: str = DEFAULT_CUSTOMER,
    *,
    admin: bool = False,
    groups: list[str] | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    extra: dict[str, Any] | None = None,
) -> str:
    """An HS256 token the local gateway accepts."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": settings.issuer,
        "aud": settings.audience[0] if settings.audience else "",
        "iat": now,
        "exp": now + ttl_seconds,
        "token_use": "id",
    }
    chosen_groups = list(groups or []) + (["admin"] if admin and "admin" not in (groups or []) else [])
    if chosen_groups:
        claims["cognito:groups"] = chosen_groups
    claims.update(extra or {})
    return jwt.encode(claims, settings.secret, algorithm="HS256")


def verify(settings: JwtSettings, header_value: str | None) -> dict[str, Any]:
    """The token's claims, or :class:`TokenRejected` with the reason."""
    if not header_value:
        raise TokenRejected("A bearer token is required.")
    token = header_value.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise TokenRejected("A bearer token is required.")
    try:
        return jwt.decode(
            token,
            settings.secret,
            algorithms=["HS256"],
            audience=list(settings.audience) or None,
            issuer=settings.issuer or None,
            options={"require": ["sub", "exp"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenRejected("The token has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenRejected(f"The token is not valid: {exc}.") from exc


def claim_text(value: Any) -> str:
    """A claim as API Gateway passes it to the handler."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(claim_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def claims_as_strings(claims: dict[str, Any]) -> dict[str, str]:
    return {key: claim_text(value) for key, value in claims.items()}
