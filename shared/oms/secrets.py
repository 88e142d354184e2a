"""Secrets from configuration: SSM SecureString in AWS (cached), a literal locally.

A webhook secret's value may hold two secrets, the new one first, separated by a comma or whitespace:
during a rotation both verify, so no signed request is refused while the sender switches (docs/deploy.md
"Rotating secrets"). A module that uses a secret declares it with :func:`oms.config.require_secret`.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from oms.config import MissingSetting, settings
from oms.problems import ProviderNotConfigured

# How long a value read from SSM is reused: a rotation takes effect within this many seconds.
CACHE_SECONDS = 300


def _read(variable: str, literal: str | None, param: str | None) -> str:
    if param:
        from aws_lambda_powertools.utilities import parameters

        return str(parameters.get_parameter(param, decrypt=True, max_age=CACHE_SECONDS))
    if literal:
        return literal
    raise MissingSetting(f"{variable}_PARAM or {variable} is not set")


def _several(value: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[\s,]+", value) if part)


def payment_webhook_secrets() -> tuple[str, ...]:
    """The secrets a payment webhook may be signed with (one, or two during a rotation)."""
    s = settings()
    return _several(_read("PAYMENT_WEBHOOK_SECRET", s.payment_webhook_secret, s.payment_webhook_secret_param))


def carrier_webhook_secrets() -> tuple[str, ...]:
    """The secrets a carrier webhook may be signed with (one, or two during a rotation)."""
    s = settings()
    return _several(_read("CARRIER_WEBHOOK_SECRET", s.carrier_webhook_secret, s.carrier_webhook_secret_param))


def carrier_secret(secret: str, carrier: str) -> str:
    """A carrier's own webhook secret, derived from the configured one (HMAC-SHA256 of ``carrier:<code>``):
    each carrier holds only its own, so a body signed for one carrier does not verify on another's path."""
    return hmac.new(secret.encode(), f"carrier:{carrier}".encode(), hashlib.sha256).hexdigest()


def carrier_webhook_secrets_of(carrier: str) -> tuple[str, ...]:
    """The secrets ``carrier``'s webhooks may be signed with (two during a rotation)."""
    return tuple(carrier_secret(secret, carrier) for secret in carrier_webhook_secrets())


def payment_webhook_secret() -> str:
    """The current payment webhook secret (the first when two are configured)."""
    return next(iter(payment_webhook_secrets()), "")


def carrier_webhook_secret() -> str:
    """The current carrier webhook secret (the first when two are configured)."""
    return next(iter(carrier_webhook_secrets()), "")


def provider_secret(variable: str) -> str:
    """A provider's key (``STRIPE_WEBHOOK_SECRET``, ``ALIPAY_PUBLIC_KEY`` …): its literal locally, its SSM
    SecureString in AWS. A platform that does not use a provider leaves its parameter unset: that
    provider's routes then answer 503 ``provider_not_configured`` and nothing else is affected."""
    current = settings()
    try:
        return _read(variable, current.value(variable), current.value(f"{variable}_PARAM"))
    except MissingSetting as error:
        raise ProviderNotConfigured(f"{variable} is not configured.") from error
    except Exception as error:  # powertools wraps SSM's ParameterNotFound in GetParameterError
        if type(error).__name__ in ("GetParameterError", "ParameterNotFound"):
            raise ProviderNotConfigured(f"{variable} is not configured.") from error
        raise


def provider_secrets(variable: str) -> tuple[str, ...]:
    """Like :func:`provider_secret` for a webhook secret that may hold two during a rotation."""
    return _several(provider_secret(variable))
