"""The local stack for tests and benchmarks: booted once, reset cheaply, driven over HTTP.

One process holds one local world at a time (moto is process-wide, and so are the endpoint variables):
:class:`Worlds` keeps the current one and swaps it when a test asks for the other DynamoDB engine,
keeping the DynamoDB Local JVM (the slow part to boot) for the whole session.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from oms import clock

from oms_local.auth import DEFAULT_ADMIN, DEFAULT_CUSTOMER, mint
from oms_local.cloud import Cloud, Engine, resolve_engine
from oms_local.dynamodb_local import DynamoDBLocal
from oms_local.stack import LocalStack
from oms_local.template import Template, load


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class StackClient:
    """What the ``stack`` fixture yields: the running local stack and an HTTP client for it."""

    def __init__(self, local: LocalStack) -> None:
        self.local = local
        self.url = local.url
        split = urlsplit(self.url)
        self._host = split.hostname or "127.0.0.1"
        self._port = split.port or 80
        self._connections = threading.local()

    @property
    def cloud(self) -> Cloud:
        return self.local.cloud

    # -- HTTP

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._connections, "value", None)
        if connection is None or fresh:
            if connection is not None:
                connection.close()
            connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
            self._connections.value = connection
        return connection

    def _drop(self) -> None:
        connection: http.client.HTTPConnection | None = getattr(self._connections, "value", None)
        if connection is not None:
            connection.close()
        self._connections.value = None

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> Response:
        """One request over a kept-alive connection (one per thread)."""
        sent_headers = dict(headers or {})
        payload: bytes | None = body.encode() if isinstance(body, str) else body
        if json is not None:
            payload = _json_dumps(json)
            sent_headers.setdefault("Content-Type", "application/json")
        if token is not None:
            sent_headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):
            connection = self._connection(fresh=attempt == 2)
            try:
                connection.request(method, path, body=payload, headers=sent_headers)
                answer = connection.getresponse()
                data = answer.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self._drop()  # never leave a half-used connection to the next request of this thread
                raise
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
                self._connections.value = None
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
        raise AssertionError("unreachable")

    # -- tokens

    def customer_token(self, sub: str = DEFAULT_CUSTOMER, **claims: Any) -> str:
        return mint(self.local.jwt, sub, extra=claims or None)

    def admin_token(self, sub: str = DEFAULT_ADMIN) -> str:
        return mint(self.local.jwt, sub, admin=True)

    # -- webhooks

    @property
    def payment_webhook_secret(self) -> str:
        return self.cloud.environment["PAYMENT_WEBHOOK_SECRET"]

    @property
    def carrier_webhook_secret(self) -> str:
        return self.cloud.environment["CARRIER_WEBHOOK_SECRET"]

    def carrier_secret(self, carrier: str) -> str:
        """The secret the carrier ``carrier`` signs its webhooks with (derived from the configured one)."""
        from oms.secrets import carrier_secret

        return carrier_secret(self.carrier_webhook_secret, carrier)

    @staticmethod
    def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
        """``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`` at the stack's clock."""
        moment = int(clock.now().timestamp()) if timestamp is None else timestamp
        digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={moment},v1={digest}"

    def webhook(
        self, path: str, payload: Any, *, secret: str | None = None, timestamp: int | None = None
    ) -> Response:
        """POST a signed webhook (the payment secret unless the path is a carrier's)."""
        if secret is None:
            carrier = path.rstrip("/").rsplit("/", 1)[-1]
            secret = self.carrier_secret(carrier) if "/carriers/" in path else self.payment_webhook_secret
        body = _json_dumps(payload)
        headers = {"Content-Type": "application/json", "X-Signature": self.signature(secret, body, timestamp)}
        return self.request("POST", path, body=body, headers=headers)

    @contextlib.contextmanager
    def functions_in_process(self) -> Iterator[None]:
        """Run the functions in this process for a while, so a test can reach inside them (injected faults)."""
        functions = self.cloud.functions
        before = functions.in_process
        functions.in_process = True
        try:
            yield
        finally:
            functions.in_process = before

    # -- the /_local routes

    def advance(self, seconds: float) -> dict[str, Any]:
        answer = self.request("POST", "/_local/clock", json={"advance_seconds": seconds})
        if answer.status != 200:
            raise AssertionError(f"advancing the clock answered {answer.status}: {answer.text}")
        return dict(answer.json())

    def run_schedule(self, name: str) -> Response:
        return self.request("POST", f"/_local/schedules/{name}/run")

    def notifications(self, **filters: str) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return list(self.request("GET", "/_local/notifications" + (f"?{query}" if query else "")).json())

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued, in flight or running; False after ``timeout``."""
        answer = self.request("POST", "/_local/idle", json={"timeout_seconds": timeout})
        return answer.status == 200

    def reset(self) -> None:
        self.local.reset()


def _json_dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


class Worlds:
    """At most one running local stack per process, swapped when another engine is asked for."""

    def __init__(self) -> None:
        self._current: LocalStack | None = None
        self._client: StackClient | None = None
        self._dynamodb_local: DynamoDBLocal | None = None
        self._default: Template | None = None
        self._lock = threading.Lock()

    def get(self, engine: str | None = None, template: Template | None = None) -> StackClient:
        """The stack on ``engine`` (default ``OMS_DYNAMODB`` or moto), from ``template`` (default template.yaml)."""
        chosen: Engine = resolve_engine(engine)
        with self._lock:
            current = self._current
            if (
                current is not None
                and self._client is not None
                and current.engine == chosen
                and (
                    current.template is template
                    if template is not None
                    else current.template is self._default
                )
            ):
                return self._client
            self._stop_current()
            dynamodb_local = None
            if chosen == "local":
                if self._dynamodb_local is None:
                    self._dynamodb_local = DynamoDBLocal()
                    self._dynamodb_local.start()
                dynamodb_local = self._dynamodb_local
            if template is None:
                self._default = self._default or load()
            stack = LocalStack(
                port=0,
                engine=chosen,
                automatic_schedules=False,
                dynamodb_local=dynamodb_local,
                template=template or self._default,
            )
            self._current = stack.start()
            self._client = StackClient(stack)
            return self._client

    def _stop_current(self) -> None:
        if self._current is not None:
            self._current.stop()
        self._current = None
        self._client = None

    def close(self) -> None:
        with self._lock:
            self._stop_current()
            if self._dynamodb_local is not None:
                self._dynamodb_local.stop()
                self._dynamodb_local = None
