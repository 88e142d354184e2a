"""One Lambda execution environment: a worker process that imports a function from the built artefact.

Run by the local stack as ``python -I -S bootstrap.py <fd>``: no site-packages, no environment variables
but the function's own, so the handler sees what Lambda's Python runtime gives it (the standard library,
the function's code folder and the layer) and nothing of the development environment. Standard library
only, like Lambda's runtime interface client.

It speaks length-prefixed JSON over the socket ``fd`` with the local stack:

- stack → ``init`` (paths, handler); worker → ``ready`` with the init duration and its Python version,
  or ``init_error``.
- stack → ``invoke`` (event, request id, deadline, the local clock's offset); worker → ``result`` or
  ``error`` (the payload Lambda reports). During an invocation, with ``authorize`` on, every AWS call the
  function makes is first sent as ``authorize`` and proceeds only when the stack allows it (its role's
  policies); a refusal raises the ``ClientError`` the service answers.
"""

from __future__ import annotations

import decimal
import importlib
import importlib.util
import json
import os
import socket
import struct
import sys
import threading
import time
import traceback
from typing import Any

_HEADER = struct.Struct(">I")


class Channel:
    """Length-prefixed JSON messages over a socket; one exchange at a time."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, default=_json_default, ensure_ascii=False).encode()
        self.sock.sendall(_HEADER.pack(len(body)) + body)

    def receive(self) -> dict[str, Any]:
        (length,) = _HEADER.unpack(self._exactly(_HEADER.size))
        return dict(json.loads(self._exactly(length)))

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.send(message)
            return self.receive()

    def _exactly(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = self.sock.recv(min(size, 1 << 20))
            if not chunk:
                raise EOFError("the local stack closed the channel")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)


def _json_default(value: Any) -> Any:
    # As Lambda's runtime serialises a handler's result: Decimal becomes a number.
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class LambdaContext:
    """The context object Lambda passes to a Python handler."""

    def __init__(self, message: dict[str, Any], memory_mb: int) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = str(message.get("function_arn", ""))
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(message["request_id"])
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(message["remaining_ms"]) / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error_payload(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }


def _failure(exc: BaseException, request_id: str, error_type: str | None = None) -> str:
    failure = error_payload(exc, error_type)
    failure["requestId"] = request_id
    return json.dumps({"type": "error", "error": failure}, default=str, ensure_ascii=False)


def _guard_aws_calls(channel: Channel) -> None:
    """Ask the stack before every AWS call, as IAM decides in AWS before the service acts."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call

    def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        model = self.meta.service_model
        answer = channel.ask(
            {
                "type": "authorize",
                "service": model.service_name,
                "operation": operation_name,
                "params": api_params,
            }
        )
        if not answer.get("allowed", False):
            code = str(answer.get("error_code") or "AccessDeniedException")
            error: Any = {
                "Error": {"Code": code, "Message": str(answer.get("message", ""))},
                # Query and REST services (sqs, s3, ses, sns, sts) answer 403; JSON services 400.
                "ResponseMetadata": {"HTTPStatusCode": 400 if code == "AccessDeniedException" else 403},
            }
            raise ClientError(error, operation_name)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call


def _set_clock(module_name: str, offset_seconds: float) -> None:
    """The local stack's clock can be moved forward; the service's clock module follows it."""
    module = sys.modules.get(module_name)
    setter = getattr(module, "set_offset", None)
    if setter is not None:
        setter(offset_seconds)


def main() -> None:
    channel = Channel(socket.socket(fileno=int(sys.argv[1])))
    init = channel.receive()
    sys.path[:0] = [str(p) for p in init["paths"]]
    os.chdir(str(init["paths"][0]))  # Lambda runs the handler from its code folder (/var/task)
    module_name, _, attribute = str(init["handler"]).rpartition(".")
    if init.get("authorize") and importlib.util.find_spec("botocore") is not None:
        _guard_aws_calls(channel)  # before the handler's import, and outside its measured init
    started = time.monotonic()
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except BaseException as exc:  # Lambda reports any init failure and ends the environment
        kind = "Runtime.ImportModuleError" if isinstance(exc, ImportError) else "Runtime.InitError"
        traceback.print_exc()
        channel.send({"type": "init_error", "error": error_payload(exc, kind)})
        return
    channel.send(
        {"type": "ready", "init_ms": (time.monotonic() - started) * 1000, "python": sys.version.split()[0]}
    )
    clock_module = str(init.get("clock_module") or "")
    memory_mb = int(init.get("memory_mb") or 128)
    while True:
        try:
            message = channel.receive()
        except EOFError:
            return
        if clock_module:
            _set_clock(clock_module, float(message.get("clock_offset_seconds") or 0))
        context = LambdaContext(message, memory_mb)
        try:
            result = handler(message["event"], context)
        except Exception as exc:
            traceback.print_exc()
            body = _failure(exc, context.aws_request_id)
        else:
            try:
                body = json.dumps(
                    {"type": "result", "result": result}, default=_json_default, ensure_ascii=False
                )
            except (TypeError, ValueError) as exc:
                body = _failure(exc, context.aws_request_id, "Runtime.MarshalError")
        with channel.lock:
            data = body.encode()
            channel.sock.sendall(_HEADER.pack(len(data)) + data)
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":
    main()
