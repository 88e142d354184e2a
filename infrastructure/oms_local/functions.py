"""The template's functions, run as Lambda runs them, or in-process for tests that reach inside.

With a :class:`~oms_local.runtime.environments.Runtime` attached (the local stack attaches one), each
invocation runs in an execution environment of its own function: a worker process holding the built
artefact, the function's template environment and its role (see :mod:`oms_local.runtime`).

In-process (``in_process = True``: handler and store tests that inject faults or count writes inside the
handler), each ``functions/<dir>/app.py`` is loaded once by file path under its own module name
(``oms_fn_<dir>``), since every folder's file is called ``app.py``, in this process's environment.
A function whose code is not on disk yet is reported once and answers as Lambda does when the module
cannot be imported. A substituted handler (:meth:`Functions.substitute`) always runs in-process.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from oms_local.runtime.environments import FunctionSpec, Runtime
from oms_local.template import Function, Template

log = logging.getLogger("local_stack.functions")

Handler = Callable[[Any, Any], Any]


class FunctionNotFound(LookupError):
    """No function of that name in the template."""


class FunctionCodeMissing(RuntimeError):
    """The template declares the function but its code is not on disk yet."""


@dataclass
class LambdaContext:
    """The context object Lambda passes to a Python handler."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    """What a handler did: its result, or the error Lambda would report."""

    request_id: str
    result: Any = None
    error: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def error_payload(exc: BaseException) -> dict[str, Any]:
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": []}


class Functions:
    """Loads and runs the template's functions."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.runtime: Runtime | None = None
        self.in_process = False
        # The built artefact's copy of a function's code folder, and the layer (set with the runtime).
        self.code_dir_of: Callable[[Function], Any] = lambda fn: fn.code_dir
        self.layer_dir: Any = None
        self._handlers: dict[str, Handler] = {}
        self._missing_reported: set[str] = set()
        self._substituted: set[str] = set()
        self._lock = threading.Lock()
        # An API function's router keeps the current request on module state (powertools does, as Lambda
        # runs one event per environment at a time); here one module serves every request, so its
        # invocations take turns, like a single warm environment. Powertools keeps it on the BaseRouter
        # class, shared by every resolver in the process: all API functions take turns on one lock, or
        # one function reads another's request (headers, claims, body) under concurrent load.
        api_turn = threading.Lock()
        self._one_at_a_time = {name: api_turn for name, fn in template.functions.items() if fn.routes}

    def get(self, name_or_arn: str) -> Function:
        fn = self.template.function_by_name(name_or_arn)
        if fn is None:
            raise FunctionNotFound(name_or_arn)
        return fn

    def exists_on_disk(self, fn: Function) -> bool:
        return fn.logical_id in self._substituted or fn.module_file.is_file()

    def handler(self, fn: Function) -> Handler:
        loaded = self._handlers.get(fn.logical_id)
        if loaded is not None:
            return loaded
        with self._lock:
            loaded = self._handlers.get(fn.logical_id)
            if loaded is None:
                loaded = self._load(fn)
                self._handlers[fn.logical_id] = loaded
        return loaded

    def report_missing(self, fn: Function) -> None:
        if fn.logical_id not in self._missing_reported:
            self._missing_reported.add(fn.logical_id)
            log.warning("function %s has no code at %s yet", fn.logical_id, fn.module_file)

    def _load(self, fn: Function) -> Handler:
        path = fn.module_file
        if not path.is_file():
            self.report_missing(fn)
            raise FunctionCodeMissing(
                f"Unable to import module '{fn.handler}': no {path.name} in {fn.code_dir}"
            )
        module_name = f"oms_fn_{fn.code_dir.name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise FunctionCodeMissing(f"cannot load {path}")
        module: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        return getattr(module, fn.handler_attribute)

    @contextlib.contextmanager
    def substitute(self, name_or_arn: str, handler: Handler) -> Iterator[None]:
        """Run ``handler`` in place of the function's code for a while (tests force failures with it)."""
        fn = self.get(name_or_arn)
        with self._lock:
            previous = self._handlers.get(fn.logical_id)
            self._handlers[fn.logical_id] = handler
            self._substituted.add(fn.logical_id)
        try:
            yield
        finally:
            with self._lock:
                self._substituted.discard(fn.logical_id)
                if previous is None:
                    self._handlers.pop(fn.logical_id, None)
                else:
                    self._handlers[fn.logical_id] = previous

    def forget(self) -> None:
        """Drop loaded handlers so the next call imports the code again."""
        with self._lock:
            for fn in self.template.functions.values():
                sys.modules.pop(f"oms_fn_{fn.code_dir.name}", None)
            self._handlers.clear()
            self._missing_reported.clear()

    def context(self, fn: Function, request_id: str | None = None) -> LambdaContext:
        return LambdaContext(
            function_name=fn.name,
            invoked_function_arn=fn.arn,
            memory_limit_in_mb=fn.memory_mb,
            aws_request_id=request_id or str(uuid.uuid4()),
            deadline=time.monotonic() + fn.timeout_seconds,
            log_group_name=f"/aws/lambda/{fn.name}",
        )

    def spec(self, fn: Function) -> FunctionSpec:
        return FunctionSpec(
            logical_id=fn.logical_id,
            name=fn.name,
            arn=fn.arn,
            handler=fn.handler,
            code_dir=self.code_dir_of(fn),
            layer_dir=self.layer_dir,
            environment=fn.environment,
            timeout_seconds=float(fn.timeout_seconds),
            memory_mb=fn.memory_mb,
        )

    def invoke(self, name_or_arn: str, event: Any, request_id: str | None = None) -> Invocation:
        """Run a handler; an exception becomes the error payload Lambda would return."""
        fn = self.get(name_or_arn)
        if self.runtime is not None and not self.in_process and fn.logical_id not in self._substituted:
            outcome = self.runtime.invoke(self.spec(fn), event, request_id or str(uuid.uuid4()))
            return Invocation(outcome.request_id, result=outcome.result, error=outcome.error)
        context = self.context(fn, request_id)
        try:
            handler = self.handler(fn)
        except FunctionCodeMissing as exc:
            return Invocation(
                context.aws_request_id,
                error={"errorMessage": str(exc), "errorType": "Runtime.ImportModuleError", "stackTrace": []},
            )
        except Exception as exc:
            log.error("function %s failed to load:\n%s", fn.logical_id, traceback.format_exc())
            return Invocation(context.aws_request_id, error=error_payload(exc))
        turn = self._one_at_a_time.get(fn.logical_id) or contextlib.nullcontext()
        try:
            with turn:
                return Invocation(context.aws_request_id, result=handler(event, context))
        except Exception as exc:
            log.warning(
                "function %s raised %s:\n%s", fn.logical_id, type(exc).__name__, traceback.format_exc()
            )
            return Invocation(context.aws_request_id, error=error_payload(exc))
