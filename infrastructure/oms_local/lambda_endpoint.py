"""A local Lambda Invoke endpoint: ``POST /2015-03-31/functions/{name}/invocations``.

moto's Step Functions interpreter calls Lambda through boto3; with ``AWS_ENDPOINT_URL_LAMBDA`` pointing
here, those calls (and any other boto3 Lambda invoke) run the project's handlers in this process and get
the answer Lambda would give: 200 with the JSON result, 200 with ``X-Amz-Function-Error: Unhandled`` when
the handler raised, 202 at once for ``Event`` invocations.
"""

from __future__ import annotations

import decimal
import json
import logging
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from oms_local.functions import FunctionNotFound, Functions
from oms_local.http_server import LocalHTTPServer

log = logging.getLogger("local_stack.lambda")

_PREFIX = "/2015-03-31/functions/"
_SUFFIX = "/invocations"


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, default=_json_default, ensure_ascii=False).encode()


class InFlight:
    """Counts work started but not finished (asynchronous invocations, polled batches)."""

    def __init__(self) -> None:
        self._count = 0
        self._started = 0
        self._lock = threading.Lock()

    def __enter__(self) -> InFlight:
        with self._lock:
            self._count += 1
            self._started += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1

    @property
    def count(self) -> int:
        return self._count

    @property
    def started(self) -> int:
        return self._started


class LambdaEndpoint:
    """The HTTP server; ``url`` is what ``AWS_ENDPOINT_URL_LAMBDA`` points at."""

    def __init__(self, functions: Functions, host: str = "127.0.0.1", port: int = 0) -> None:
        self.functions = functions
        self.in_flight = InFlight()
        endpoint = self

        class Handler(_InvokeHandler):
            owner = endpoint

        self._server = LocalHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="lambda-endpoint",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever, which never ran otherwise
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def invoke_async(self, name: str, event: Any) -> None:
        def run() -> None:
            with self.in_flight:
                outcome = self.functions.invoke(name, event)
                if outcome.failed:
                    log.warning("asynchronous invocation of %s failed: %s", name, outcome.error)

        self.in_flight.__enter__()  # counted before the thread starts, so idle() cannot miss it
        try:
            threading.Thread(target=run, name=f"invoke-{name}", daemon=True).start()
        finally:
            self.in_flight.__exit__()


class _InvokeHandler(BaseHTTPRequestHandler):
    owner: LambdaEndpoint
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, a kept-alive client waits ~40 ms for each.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        headers = {"X-Amzn-RequestId": str(uuid.uuid4()), **(headers or {})}
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, error_type: str, message: str) -> None:
        self._answer(
            status,
            dumps({"Type": "User", "message": message}),
            {"x-amzn-ErrorType": error_type},
        )

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        if not (path.startswith(_PREFIX) and path.endswith(_SUFFIX)):
            self._error(404, "UnknownOperationException", f"no such operation: {self.path}")
            return
        name = unquote(path[len(_PREFIX) : -len(_SUFFIX)])
        try:
            self.owner.functions.get(name)
        except FunctionNotFound:
            self._error(404, "ResourceNotFoundException", f"Function not found: {name}")
            return
        try:
            event = json.loads(raw) if raw else {}
        except ValueError:
            self._error(400, "InvalidRequestContentException", "Could not parse request body into json")
            return
        invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation_type == "DryRun":
            self._answer(204, b"")
            return
        if invocation_type == "Event":
            self.owner.invoke_async(name, event)
            self._answer(202, b"")
            return
        with self.owner.in_flight:
            outcome = self.owner.functions.invoke(name, event)
        headers = {"X-Amz-Executed-Version": "$LATEST", "X-Amzn-RequestId": outcome.request_id}
        if outcome.failed:
            headers["X-Amz-Function-Error"] = "Unhandled"
            self._answer(HTTPStatus.OK, dumps(outcome.error), headers)
            return
        try:
            body = dumps(outcome.result)
        except (TypeError, ValueError) as exc:
            headers["X-Amz-Function-Error"] = "Unhandled"
            body = dumps({"errorMessage": str(exc), "errorType": "Runtime.MarshalError", "stackTrace": []})
        self._answer(HTTPStatus.OK, body, headers)
