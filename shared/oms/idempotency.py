"""Idempotent POSTs (API.md): the same key and body give the first answer, byte for byte.

Built on powertools idempotency: the record is claimed with a conditional put before the work runs, so
concurrent requests with one key cannot both run (the loser hears ``idempotency_key_in_use``, safe to retry);
a different body under a used key is ``idempotency_key_reused``. An exception (a fault, not a 4xx answer)
deletes the claim so the client may retry. Keys are kept 24 hours.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from oms import aws
from oms.config import require, settings
from oms.http import idempotency_key
from oms.problems import Conflict
from oms.store.table import StoreBusy, with_retries

require("IDEMPOTENCY_TABLE_NAME", by=__name__)

KEEP_SECONDS = 24 * 3600


class _PatientClient:
    """The idempotency table's client with the store's retries: throttling and transaction conflicts are
    waited out as for every other table, not turned into a 500 (a failed condition still comes through)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if not callable(found):
            return found
        return lambda **kwargs: with_retries(lambda: found(**kwargs))


@cache
def _machinery() -> tuple[Any, Any, Callable[..., dict[str, Any]]]:
    """Powertools' idempotency (config, store, the wrapped call), made at the first keyed request: about
    70 ms of imports that a cold start, and a request without a key, never need (tests/bench, figure 4)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=KEEP_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    store = DynamoDBPersistenceLayer(
        table_name=settings().idempotency_table_name, boto3_client=aws.client("dynamodb")
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config)
    def run_once(*, request: dict[str, Any], produce: Callable[[], Response[str]]) -> dict[str, Any]:
        response = produce()
        return {"status": response.status_code, "headers": dict(response.headers), "body": response.body}

    return config, store, run_once


def key_from(app: APIGatewayHttpResolver, *, required: bool) -> str | None:
    return idempotency_key(app, required=required)


def once(
    app: APIGatewayHttpResolver, scope: str, key: str | None, body: Any, produce: Callable[[], Response[str]]
) -> Response[str]:
    """Run ``produce`` at most once per (scope, key); without a key, just run it."""
    if key is None:
        return produce()
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config, store, run_once = _machinery()
    config.register_lambda_context(app.lambda_context)
    # Share the process's cached client and settings, so the store follows the configured endpoint.
    store.client = _PatientClient(aws.client("dynamodb"))
    store.table_name = settings().idempotency_table_name
    try:
        saved = run_once(request={"key": f"{scope}#{key}", "body": body}, produce=produce)
    except IdempotencyValidationError as error:
        raise Conflict(
            "This Idempotency-Key was used with another request body.", code="idempotency_key_reused"
        ) from error
    except IdempotencyPersistenceLayerError as error:
        if isinstance(error.__cause__, StoreBusy):
            raise StoreBusy(str(error)) from error  # 503 busy: retry with the same key
        raise
    except IdempotencyAlreadyInProgressError as error:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_key_in_use",
        ) from error
    return Response(status_code=saved["status"], headers=saved["headers"], body=saved["body"])
