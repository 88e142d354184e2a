"""Calls to a provider's API over HTTPS: one request, a bounded wait, and an answer or
:class:`ProviderUnavailable` (no answer, or a 5xx / 429), after which the caller's step is retried later
with the same idempotency key — so a lost answer never pays twice."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 5.0


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered that it cannot now: ask again later, the same way."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: str

    def json_object(self, provider: str) -> dict[str, Any]:
        """The body as a JSON object ({} when empty or not an object); not JSON at all is no answer."""
        try:
            found = json.loads(self.body) if self.body else {}
        except ValueError as error:
            raise ProviderUnavailable(f"{provider} answered {self.status} with no JSON") from error
        return found if isinstance(found, dict) else {}


def call(method: str, url: str, headers: dict[str, str], body: bytes | None = None) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = Answer(response.status, _lower(response.headers.items()), response.read().decode())
    except urllib.error.HTTPError as error:
        answer = Answer(error.code, _lower(error.headers.items()), error.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise ProviderUnavailable(f"{method} {url}: no answer ({error})") from error
    if answer.status >= 500 or answer.status == 429:
        raise ProviderUnavailable(f"{method} {url}: {answer.status}")
    return answer


def _lower(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in pairs}
