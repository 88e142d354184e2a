"""The HTTP edge shared by every API function: routing, problem+json errors, the caller's identity.

Errors become answers here and only here: a :class:`~oms.problems.Problem` is its own 4xx, a request
that does not fit its model is 422 (400 when the body is not JSON at all), a store still throttled or
conflicting after its retries, or another AWS service that did not answer in time, is 503 ``busy`` with
``Retry-After``, anything else is a 500 that names the
request id and nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from pydantic import BaseModel

from oms import correlation
from oms.config import settings
from oms.groups import GROUPS_CLAIM, bearer_token, groups_of_claim, groups_of_token
from oms.observability import logger
from oms.problems import FieldError, Forbidden, NotFound, Problem, Unauthorized, ValidationProblem
from oms.store.table import StoreBusy

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
BUSY_RETRY_AFTER_SECONDS = 1
ADMIN_PREFIX = "/v1/admin/"
# Far deeper than any request of the contract (four levels in its OpenAPI schemas today), and the same
# on every Python, as the parser's own limit is not (3.11's json gives up at about 1,000 levels, Lambda's
# 3.12 parses them).
MAX_JSON_DEPTH = 32


def dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response[str]:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return Response(status_code=status, content_type=JSON, body=dumps(payload), headers=headers)


def problem_response(problem: Problem) -> Response[str]:
    return Response(status_code=problem.status, content_type=PROBLEM_JSON, body=dumps(problem.to_dict()))


def problem_body_response(problem: dict[str, Any]) -> Response[str]:
    """A problem that travelled as data (a workflow step's answer)."""
    return Response(status_code=int(problem["status"]), content_type=PROBLEM_JSON, body=dumps(problem))


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _malformed_json(detail: str) -> Problem:
    return Problem(detail, code="malformed_json", title="Malformed JSON")


def _too_deep_problem() -> Problem:
    return _malformed_json(f"The request body is nested too deeply (more than {MAX_JSON_DEPTH} levels).")


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` holds objects or arrays more than ``limit`` levels deep (level by level: no
    recursion, whatever the depth)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, dict | list)
        ]
    return False


def json_body(text: str) -> Any:
    """A request body parsed as JSON, refused past :data:`MAX_JSON_DEPTH` levels."""
    parsed = json.loads(text)
    if _nested_deeper_than(parsed, MAX_JSON_DEPTH):
        raise _too_deep_problem()
    return parsed


def validation_problem(errors: list[dict[str, Any]]) -> Problem:
    if any(e.get("type") == "json_invalid" for e in errors):
        return _malformed_json("The request body is not valid JSON.")
    fields = [FieldError(_field_of(tuple(e.get("loc", ()))), str(e.get("msg", "invalid"))) for e in errors]
    return ValidationProblem("Some fields are missing or not valid; see errors.", errors=fields)


@dataclass(frozen=True)
class Principal:
    subject: str
    groups: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return "admin" in self.groups


def caller(event: dict[str, Any]) -> Principal:
    """Who sent the request, from the claims API Gateway's JWT authorizer verified."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    subject = claims.get("sub")
    if not subject:
        raise Unauthorized("A bearer token with a subject is required.")
    token_groups = groups_of_token(bearer_token(event), str(subject))
    if token_groups is None:
        token_groups = groups_of_claim(claims.get(GROUPS_CLAIM))
    return Principal(subject=str(subject), groups=token_groups)


def principal(app: APIGatewayHttpResolver) -> Principal:
    return caller(app.current_event.raw_event)


def require_admin(app: APIGatewayHttpResolver) -> Principal:
    who = principal(app)
    if not who.is_admin:
        raise Forbidden("This route is for back-office staff.")
    return who


def _invalid(exc: RequestValidationError) -> Response[str]:
    return problem_response(validation_problem(list(exc.errors())))


def _not_utf8(exc: UnicodeDecodeError) -> Response[str]:
    # A body that is not UTF-8 cannot be JSON; it reaches us base64-encoded and fails to decode.
    return problem_response(_malformed_json("The request body is not UTF-8 JSON."))


def _too_deep(exc: RecursionError) -> Response[str]:
    # So deep that the parser itself gave up (past MAX_JSON_DEPTH too).
    return problem_response(_too_deep_problem())


def _not_json(exc: RequestUnsupportedContentType) -> Response[str]:
    return problem_response(
        Problem(
            "Send the body as JSON with Content-Type: application/json.",
            code="unsupported_media_type",
            status=415,
            title="Unsupported media type",
        )
    )


def _busy(exc: Exception) -> Response[str]:
    # Throttled or conflicting after the store's retries, or a service that did not answer in time
    # (a burst of cold starts behind a synchronous workflow): a fault of the moment, not of the request.
    logger.warning("busy", extra={"error": str(exc), "error_type": type(exc).__name__})
    busy = Problem(
        "The service is busy right now. Retry shortly: the same request is safe to send again.",
        code="busy",
        status=503,
        title="Busy",
    )
    return Response(
        status_code=503,
        content_type=PROBLEM_JSON,
        body=dumps(busy.to_dict()),
        headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
    )


def _route_not_found(exc: Exception) -> Response[str]:
    return problem_response(NotFound("No such route.", code="route_not_found"))


def _internal_error(request_id: str) -> Response[str]:
    """A 500 that names the request id and nothing more (the error itself is logged)."""
    logger.exception("unhandled error", extra={"request_id": request_id})
    body = {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "detail": f"Something went wrong on our side. Quote request id {request_id}.",
        "code": "internal_error",
        "request_id": request_id,
    }
    return Response(status_code=500, content_type=PROBLEM_JSON, body=dumps(body))


def create_app() -> APIGatewayHttpResolver:
    """A resolver with the shared error handling; each API function adds its routes."""
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=json_body)
    app.exception_handler(Problem)(problem_response)
    app.exception_handler(RequestValidationError)(_invalid)
    app.exception_handler(UnicodeDecodeError)(_not_utf8)
    app.exception_handler(RecursionError)(_too_deep)
    app.exception_handler(RequestUnsupportedContentType)(_not_json)
    app.exception_handler([StoreBusy, ReadTimeoutError, ConnectTimeoutError])(_busy)
    app.not_found(_route_not_found)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        return _internal_error(app.current_event.request_context.request_id)

    return app


def _raw_problem(problem: Problem) -> dict[str, Any]:
    """A problem answered before routing, in the shape Lambda hands back to API Gateway."""
    return {
        "statusCode": problem.status,
        "headers": {"Content-Type": PROBLEM_JSON},
        "body": dumps(problem.to_dict()),
        "isBase64Encoded": False,
    }


def api_handler(app: APIGatewayHttpResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point for an API function: size limit, logging and correlation context, routing."""

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        correlation_id = correlation.use(correlation.from_http(event))
        logger.append_keys(**correlation.http_keys(event))
        return correlation.echo(_answer(event, context), correlation_id)

    def _answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        body = event.get("body") or ""
        if len(body.encode() if isinstance(body, str) else body) > settings().max_body_bytes:
            too_big = Problem(
                f"The body is larger than {settings().max_body_bytes} bytes.",
                code="payload_too_large",
                status=413,
                title="Payload too large",
            )
            return _raw_problem(too_big)
        if str(event.get("rawPath", "")).startswith(ADMIN_PREFIX):
            # The role first: a customer learns nothing of what an admin route would accept.
            try:
                if not caller(event).is_admin:
                    raise Forbidden("This route is for back-office staff.")
            except Problem as refused:
                return _raw_problem(refused)
        return app.resolve(event, context)

    return handler


IDEMPOTENCY_KEY_HEADER = "idempotency-key"


def idempotency_key(app: APIGatewayHttpResolver, *, required: bool) -> str | None:
    """The request's ``Idempotency-Key`` header, checked: 1-255 printable characters."""
    headers = app.current_event.headers
    key = headers.get(IDEMPOTENCY_KEY_HEADER) or headers.get("Idempotency-Key")
    if key is None:
        if required:
            raise Problem(
                "This request needs an Idempotency-Key header (any unique string, e.g. a UUID).",
                code="idempotency_key_required",
            )
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise Problem(
            "The Idempotency-Key must be 1-255 printable characters.", code="idempotency_key_invalid"
        )
    return key
