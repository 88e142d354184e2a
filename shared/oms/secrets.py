"""Secrets from configuration: SSM SecureString in AWS (cached), a literal locally."""

from __future__ import annotations

from oms.config import settings


def _read(literal: str, param: str) -> str:
    if param:
        from aws_lambda_powertools.utilities import parameters

        return str(parameters.get_parameter(param, decrypt=True, max_age=300))
    return literal


def payment_webhook_secret() -> str:
    s = settings()
    return _read(s.payment_webhook_secret, s.payment_webhook_secret_param)


def carrier_webhook_secret() -> str:
    s = settings()
    return _read(s.carrier_webhook_secret, s.carrier_webhook_secret_param)
