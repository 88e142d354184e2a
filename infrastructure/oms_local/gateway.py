"""The local API Gateway: HTTP requests in, HTTP API payload-v2 events to the handlers, their answers out.

Routes come from the template's ``HttpApi`` events; the JWT authorizer is played by :mod:`oms_local.auth`.
The ``/_local`` routes (API.md "Local only") are served here too and never appear in the template.
Errors the gateway itself gives are ``application/problem+json`` like the service's own, and a 500 names
the request id and nothing more.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from oms import clock

from oms_local import ACCOUNT_ID, console
from oms_local.auth import JwtSettings, TokenRejected, claims_as_strings, verify
from oms_local.functions import Functions
from oms_local.http_server import LocalHTTPServer
from oms_local.template import HttpRoute, Template

log = logging.getLogger("local_stack.gateway")
# One JSON line per request, with the fields of the HTTP API's access log in template.yaml (and the
# correlation id, which API Gateway's access log variables cannot read from a request header).
access_log = logging.getLogger("local_stack.access")


def access_line(method: str, path: str, answer: Answer, elapsed_ms: float, request_id: str) -> str:
    headers = {k.lower(): v for k, v in (answer.headers or {}).items()}
    return json.dumps(
        {
            "requestId": request_id,
            "correlationId": headers.get("x-correlation-id"),
            "routeKey": answer.route_key or "-",
            "method": method,
            "path": path,
            "status": answer.status,
            "latencyMs": round(elapsed_ms, 1),
            "caller": answer.caller or "-",
            "time": clock.now_iso(),
        },
        separators=(",", ":"),
    )


MAX_BODY_BYTES = 1024 * 1024
READ_TIMEOUT_SECONDS = 30
DRAIN_LIMIT_BYTES = 4 * MAX_BODY_BYTES
MAX_ADVANCE_SECONDS = 10 * 366 * 24 * 3600  # ten years: past every deadline the service keeps
MAX_IDLE_WAIT_SECONDS = 600
PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
_TEXT_TYPES = re.compile(r"^(text/|application/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded|javascript))")


# ---------------------------------------------------------------------------------------------- answers


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] | None = None
    cookies: list[str] | None = None
    # For the access log: the route matched and who called it (the token's subject).
    route_key: str | None = None
    caller: str | None = None


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Answer:
    body = {
        "type": f"https://errors.oms.example/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [],
        **extra,
    }
    return Answer(status, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": PROBLEM_JSON})


def json_answer(status: int, payload: Any) -> Answer:
    return Answer(
        status, json.dumps(payload, ensure_ascii=False, default=str).encode(), {"Content-Type": JSON}
    )


def internal_error(request_id: str) -> Answer:
    return problem(
        500,
        "internal_error",
        "Internal error",
        f"Something went wrong on our side. Quote request id {request_id}.",
        request_id=request_id,
    )


# ---------------------------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class _CompiledRoute:
    route: HttpRoute
    pattern: re.Pattern[str]
    params: tuple[str, ...]
    specificity: tuple[int, int, int]


class MethodNotAllowed(LookupError):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


class Router:
    """API Gateway's route selection: the most specific path wins, ``{proxy+}`` last."""

    def __init__(self, routes: tuple[HttpRoute, ...]) -> None:
        compiled = [self._compile(r) for r in routes if r.path != "$default"]
        self._routes = sorted(compiled, key=lambda c: c.specificity, reverse=True)
        self._default = next((r for r in routes if r.path == "$default"), None)

    @staticmethod
    def _compile(route: HttpRoute) -> _CompiledRoute:
        parts = []
        params = []
        literal = 0
        greedy = 0
        for segment in route.path.strip("/").split("/"):
            match = re.fullmatch(r"\{([A-Za-z0-9_.-]+)(\+?)\}", segment)
            if match and match.group(2):
                params.append(match.group(1))
                parts.append("(.+)")
                greedy = 1
            elif match:
                params.append(match.group(1))
                parts.append("([^/]+)")
            else:
                literal += 1
                parts.append(re.escape(segment))
        pattern = re.compile("^/" + "/".join(parts) + "/?$" if parts != [""] else "^/$")
        segments = len(route.path.strip("/").split("/"))
        return _CompiledRoute(route, pattern, tuple(params), (1 - greedy, literal, segments))

    def match(self, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
        """The route and its path parameters; ``None`` for an unknown path; MethodNotAllowed for a known one."""
        allowed: list[str] = []
        for compiled in self._routes:
            found = compiled.pattern.match(path)
            if not found:
                continue
            if compiled.route.method in (method, "ANY"):
                values = {
                    name: unquote(value) for name, value in zip(compiled.params, found.groups(), strict=True)
                }
                return compiled.route, values
            allowed.append(compiled.route.method)
        if self._default is not None:
            return self._default, {}
        if allowed:
            raise MethodNotAllowed(sorted(set(allowed)))
        return None


# ---------------------------------------------------------------------------------------------- local routes


class LocalControl(Protocol):
    """What the ``/_local`` routes drive (the local stack implements it)."""

    def clock_state(self) -> dict[str, Any]: ...

    def advance(self, seconds: float) -> dict[str, Any]: ...

    def run_schedule(self, name: str) -> Answer: ...

    def sent_notifications(self) -> list[dict[str, Any]]: ...

    def wait_idle(self, timeout: float) -> bool: ...


# ---------------------------------------------------------------------------------------------- the gateway


@dataclass
class Request:
    method: str
    raw_path: str
    query: str
    headers: dict[str, str]  # lower-case names, repeated headers joined with commas
    body: bytes
    source_ip: str
    request_id: str


class Gateway:
    """A threaded HTTP server; ``url`` is where clients go."""

    def __init__(
        self,
        template: Template,
        functions: Functions,
        jwt_settings: JwtSettings,
        control: LocalControl | None,
        host: str = "127.0.0.1",
        port: int = 3000,
    ) -> None:
        self.template = template
        self.functions = functions
        self.jwt = jwt_settings
        self.control = control
        self.router = Router(template.routes)
        gateway = self

        class Handler(_HttpHandler):
            owner = gateway

        self.handler_class = Handler  # its ``timeout`` is the read time-out of new connections
        self._server = LocalHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="gateway", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever, which never ran otherwise
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    # -- handling

    def handle(self, request: Request) -> Answer:
        if console.handles(request.raw_path):  # the back-office console's files and its local sign-in
            local = self.control is not None
            served = console.answer(
                request.method, request.raw_path, request.body, self.jwt, local_routes=local
            )
            return Answer(served.status, served.body, served.headers)
        if request.raw_path == "/_local" or request.raw_path.startswith("/_local/"):
            return self._local(request)
        try:
            found = self.router.match(request.method, request.raw_path)
        except MethodNotAllowed as exc:
            answer = problem(
                405,
                "method_not_allowed",
                "Method not allowed",
                f"{request.method} is not allowed on {request.raw_path}; use {', '.join(exc.allowed)}.",
            )
            answer.headers = {**(answer.headers or {}), "Allow": ", ".join(exc.allowed)}
            return answer
        if found is None:
            return problem(
                404, "route_not_found", "Not found", f"No route for {request.method} {request.raw_path}."
            )
        route, path_parameters = found
        claims: dict[str, str] | None = None
        if not route.public:
            try:
                claims = claims_as_strings(verify(self.jwt, request.headers.get(self.jwt.header)))
            except TokenRejected as exc:
                answer = problem(401, "unauthorized", "Authentication required", str(exc))
                answer.headers = {**(answer.headers or {}), "WWW-Authenticate": 'Bearer realm="oms"'}
                return answer
        answer = self._routed(request, route, path_parameters, claims)
        answer.route_key = route.route_key
        answer.caller = (claims or {}).get("sub")
        return answer

    def _routed(
        self,
        request: Request,
        route: HttpRoute,
        path_parameters: dict[str, str],
        claims: dict[str, str] | None,
    ) -> Answer:
        fn = self.functions.get(route.function)
        if not self.functions.exists_on_disk(fn):
            self.functions.report_missing(fn)
            return problem(
                501,
                "not_implemented",
                "Not implemented",
                f"{route.route_key} is declared but not written yet.",
            )
        event = self._event(request, route, path_parameters, claims)
        outcome = self.functions.invoke(route.function, event, request_id=request.request_id)
        if outcome.failed:
            log.error("%s failed on %s: %s", route.function, route.route_key, outcome.error)
            return internal_error(request.request_id)
        return self._answer_from(outcome.result)

    def _event(
        self,
        request: Request,
        route: HttpRoute,
        path_parameters: dict[str, str],
        claims: dict[str, str] | None,
    ) -> dict[str, Any]:
        now = clock.now()
        headers = dict(request.headers)
        headers.setdefault("x-forwarded-proto", "http")  # as API Gateway says how the caller came in
        cookies = [c.strip() for c in headers.pop("cookie", "").split(";") if c.strip()]
        host = headers.get("host", "127.0.0.1")
        content_type = headers.get("content-type", "")
        request_context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": request.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request.request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        }
        if claims is not None:
            request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": request.raw_path,
            "rawQueryString": request.query,
            "headers": headers,
            "requestContext": request_context,
            "isBase64Encoded": False,
        }
        if cookies:
            event["cookies"] = cookies
        if request.query:
            query: dict[str, list[str]] = {}
            for key, value in parse_qsl(request.query, keep_blank_values=True):
                query.setdefault(key, []).append(value)
            event["queryStringParameters"] = {key: ",".join(values) for key, values in query.items()}
        if path_parameters:
            event["pathParameters"] = path_parameters
        if request.body:
            if not content_type or _TEXT_TYPES.match(content_type):
                try:
                    event["body"] = request.body.decode("utf-8")
                except UnicodeDecodeError:
                    event["body"] = base64.b64encode(request.body).decode()
                    event["isBase64Encoded"] = True
            else:
                event["body"] = base64.b64encode(request.body).decode()
                event["isBase64Encoded"] = True
        return event

    @staticmethod
    def _answer_from(result: Any) -> Answer:
        if not (isinstance(result, dict) and "statusCode" in result):
            # Payload v2 without a status: API Gateway answers 200 with the result as JSON.
            return json_answer(200, result)
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers[str(key)] = ", ".join(str(v) for v in values)
        body = result.get("body")
        if body is None:
            raw = b""
        elif result.get("isBase64Encoded"):
            raw = base64.b64decode(body)
        else:
            raw = str(body).encode()
        if raw and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = JSON
        return Answer(int(result["statusCode"]), raw, headers, [str(c) for c in result.get("cookies") or []])

    # -- /_local

    def _local(self, request: Request) -> Answer:
        control = self.control
        if control is None:
            return problem(404, "route_not_found", "Not found", "The local routes are off.")
        path = request.raw_path.rstrip("/")
        method = request.method
        if path == "/_local/clock":
            if method == "GET":
                return json_answer(200, control.clock_state())
            if method == "POST":
                payload = _json_body(request)
                seconds = _number(payload, "advance_seconds", None, MAX_ADVANCE_SECONDS)
                if seconds is None:
                    return problem(
                        422,
                        "validation_failed",
                        "The request is not valid",
                        f'Send {{"advance_seconds": N}} with N a number from 0 to {MAX_ADVANCE_SECONDS}.',
                    )
                return json_answer(200, control.advance(seconds))
            return _local_method_not_allowed(method, path, ["GET", "POST"])
        schedule = re.fullmatch(r"/_local/schedules/([^/]+)/run", path)
        if schedule:
            if method != "POST":
                return _local_method_not_allowed(method, path, ["POST"])
            return control.run_schedule(unquote(schedule.group(1)))
        if path == "/_local/notifications":
            if method != "GET":
                return _local_method_not_allowed(method, path, ["GET"])
            sent = control.sent_notifications()
            filters = dict(parse_qsl(request.query))
            for key in ("channel", "to"):
                if key in filters:
                    sent = [n for n in sent if str(n.get(key, "")) == filters[key]]
            return json_answer(200, sent)
        if path == "/_local/idle":
            if method != "POST":
                return _local_method_not_allowed(method, path, ["POST"])
            timeout = _number(_json_body(request), "timeout_seconds", 10.0, MAX_IDLE_WAIT_SECONDS)
            if timeout is None:
                return problem(
                    422,
                    "validation_failed",
                    "The request is not valid",
                    f'Send {{"timeout_seconds": N}} with N a number from 0 to {MAX_IDLE_WAIT_SECONDS}.',
                )
            started = time.monotonic()
            if control.wait_idle(timeout):
                return json_answer(
                    200, {"idle": True, "waited_ms": round((time.monotonic() - started) * 1000, 1)}
                )
            return problem(504, "not_idle", "Still busy", f"The local stack was not idle within {timeout} s.")
        return problem(404, "route_not_found", "Not found", f"No local route {method} {request.raw_path}.")


def _number(payload: Any, name: str, default: float | None, most: float) -> float | None:
    """``payload[name]`` as a finite number from 0 to ``most`` (``default`` when absent); None when not."""
    if not isinstance(payload, dict):
        return None
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or not 0 <= value <= most:
        return None
    return float(value)


def _json_body(request: Request) -> Any:
    if not request.body:
        return {}
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def _local_method_not_allowed(method: str, path: str, allowed: list[str]) -> Answer:
    answer = problem(405, "method_not_allowed", "Method not allowed", f"{method} is not allowed on {path}.")
    answer.headers = {**(answer.headers or {}), "Allow": ", ".join(allowed)}
    return answer


class _HttpHandler(BaseHTTPRequestHandler):
    owner: Gateway
    protocol_version = "HTTP/1.1"
    # A client that opens a connection and sends nothing (or a body shorter than its Content-Length) would
    # hold a thread for ever: reads give up after this many seconds, as API Gateway's do.
    timeout = READ_TIMEOUT_SECONDS
    # Headers and body go out in separate writes; with Nagle on, a kept-alive client waits ~40 ms for each.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "oms-local"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _serve(self) -> None:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:20]
        split = urlsplit(self.path)
        try:
            answer = self._answer(split.path or "/", split.query, request_id)
        except Exception:
            log.exception("gateway failed on %s %s (request id %s)", self.command, split.path, request_id)
            answer = internal_error(request_id)
        # Logged before the answer leaves, so a client that got it also finds the line.
        elapsed = (time.perf_counter() - started) * 1000
        access_log.info(access_line(self.command, split.path, answer, elapsed, request_id))
        self._write(answer, request_id)

    def _answer(self, path: str, query: str, request_id: str) -> Answer:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return problem(411, "length_required", "Length required", "Send the body with a Content-Length.")
        length = int(length_text) if length_text and length_text.isdigit() else 0
        if length > MAX_BODY_BYTES:
            # A body a little over the limit is read and dropped, so the client (still sending) hears the 413
            # instead of a broken pipe; a much larger one is not read at all and the connection closes.
            if length <= DRAIN_LIMIT_BYTES:
                try:
                    self.rfile.read(length)
                except TimeoutError:
                    self.close_connection = True
            else:
                self.close_connection = True
            return problem(
                413,
                "payload_too_large",
                "Payload too large",
                f"The body is larger than {MAX_BODY_BYTES} bytes.",
            )
        try:
            body = self.rfile.read(length) if length else b""
        except TimeoutError:
            self.close_connection = True
            return problem(
                408, "request_timeout", "Request timeout", "The body did not arrive in time; send it again."
            )
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            name = key.lower()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        request = Request(
            method=self.command.upper(),
            raw_path=path,
            query=query,
            headers=headers,
            body=body,
            source_ip=self.client_address[0],
            request_id=request_id,
        )
        return self.owner.handle(request)

    def _write(self, answer: Answer, request_id: str) -> None:
        self.send_response(answer.status)
        for key, value in (answer.headers or {}).items():
            if key.lower() in ("content-length", "transfer-encoding", "connection"):
                continue
            self.send_header(key, value)
        for cookie in answer.cookies or []:
            self.send_header("Set-Cookie", cookie)
        self.send_header("apigw-requestid", request_id)
        self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
