"""Cached boto3 clients, made on first use so a handler imports only what it calls."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Fail fast and let the caller's retry policy (Step Functions, SQS, the client) decide.
_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=10)

# Called with (service, client) for every client made here; empty in AWS. The local stack's fault
# injection (oms_local.faults) attaches to the clients' botocore events through it.
client_hooks: list[Callable[[str, Any], None]] = []


@cache
def client(service: str) -> Any:
    made = boto3.session.Session().client(service, config=_CONFIG)
    for hook in client_hooks:
        hook(service, made)
    return made


def reset() -> None:
    """Forget clients (tests and the local stack switch endpoints between runs)."""
    client.cache_clear()
