"""Errors the caller can act on, each with a stable ``code`` (RFC 9457 problem details).

Domain code raises these; the HTTP edge turns them into ``application/problem+json`` in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    extra: dict[str, Any] = dataclass_field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, **self.extra}


class Problem(Exception):
    """A 4xx answer: what went wrong and how to fix it."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        code: str | None = None,
        status: int | None = None,
        title: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        if code:
            self.code = code
        if status:
            self.status = status
        if title:
            self.title = title
        self.extra = extra or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://errors.oms.example/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "errors": [e.to_dict() for e in self.errors],
        }
        body.update(self.extra)
        return body


class ValidationProblem(Problem):
    status = 422
    code = "validation_failed"
    title = "The request is not valid"


class NotFound(Problem):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(Problem):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unauthorized(Problem):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(Problem):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "The order cannot make that move now"
