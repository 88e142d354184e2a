"""The cold-start baseline: a handler that only imports boto3 (what every function of the service needs)."""

from typing import Any

import boto3  # noqa: F401 - the import is the point


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {}
