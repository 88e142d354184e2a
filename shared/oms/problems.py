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


def _override(target: Any, status: int | None, code: str | None, title: str | None) -> None:
    """Sets whichever of ``status``, ``code`` and ``title`` are given on a problem or a kind of problem."""
    if code:
        target.code = code
    if status:
        target.status = status
    if title:
        target.title = title


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
        _override(self, status, code, title)
        self.extra = extra or {}

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, title: str | None = None, **kwargs: Any
    ) -> None:
        """A kind of problem names its defaults in its bases: ``class Gone(Problem, status=410, …)``."""
        super().__init_subclass__(**kwargs)
        _override(cls, status, code, title)

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


class ValidationProblem(Problem, status=422, code="validation_failed", title="The request is not valid"):
    """Fields missing or not valid."""


class NotFound(Problem, status=404, code="not_found", title="Not found"):
    """No such resource, or not the caller's."""


class Conflict(Problem, status=409, code="conflict", title="Conflict"):
    """Conflicts with the current state."""


class Unauthorized(Problem, status=401, code="unauthorized", title="Authentication required"):
    """No valid credentials."""


class Forbidden(Problem, status=403, code="forbidden", title="Forbidden"):
    """Valid credentials without the right to this."""


class InvalidTransition(Conflict, code="invalid_transition", title="The order cannot make that move now"):
    """A move the order's status does not allow."""


class ProviderNotConfigured(
    Problem, status=503, code="provider_not_configured", title="Provider not configured"
):
    """A provider's key is named by the template but was never put in SSM (docs/deploy.md "Providers")."""


class SubscriptionNotFound(NotFound, code="subscription_not_found", title="No such webhook subscription"):
    """No subscription with that id."""


class DeliveryNotFound(NotFound, code="delivery_not_found", title="No such webhook delivery"):
    """No delivery with that id for that subscription."""


class SubscriptionChanged(Conflict, code="subscription_changed", title="The subscription changed meanwhile"):
    """A concurrent change won; the caller tries again."""


class DeliveryInProgress(Conflict, code="delivery_in_progress", title="The delivery is still being tried"):
    """Only a settled delivery (delivered, failed, cancelled) is replayed."""


class NoticeNotFound(NotFound, code="notice_not_found", title="No such notice"):
    """Not in this buyer's inbox."""


class PushNotConfigured(
    Problem, status=409, code="push_not_configured", title="App push is not set up for this platform"
):
    """The stack was deployed without the platform application this device needs."""
