"""Execution environments: each function of the template runs in worker processes of its own, as in Lambda.

A worker (``bootstrap.py``) is a fresh interpreter with no site-packages, whose ``sys.path`` is the built
artefact (the function's code folder and the layer) and whose environment is the function's template
environment plus what Lambda's runtime sets, with the emulated AWS reached over HTTP at an endpoint. So a
dependency missing from the layer, a setting missing from the template or a call the role does not allow
fails here as it would in AWS.

- An invocation takes an idle environment of its function (warm) or starts one (cold start, logged with
  its duration); overlapping invocations get environments of their own, up to ``max_environments``,
  started one at a time per function (see ``FunctionEnvironments._acquire``).
- The function's ``Timeout`` is enforced: past it the environment is ended and the invocation fails as
  Lambda's "Task timed out" does. A worker that dies mid-invocation fails that invocation; what happens
  next is the caller's retry policy (SQS redelivery, a state machine's ``Retry``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from oms_local.runtime.bootstrap import Channel, _json_default

log = logging.getLogger("local_stack.runtime")

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")

# Lambda gives a function's init phase 10 s; a loaded machine may need longer to start an interpreter,
# and a slow start is not what the local stack tests, so init waits at least this long.
INIT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_ENVIRONMENTS = 8


class Decision(Protocol):
    allowed: bool
    message: str
    error_code: str


# (function logical id, service, operation, params) -> the role's verdict
Authorize = Callable[[str, str, str, dict[str, Any]], Decision]


@dataclass(frozen=True)
class FunctionSpec:
    """What an environment needs to know of its function."""

    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: Path  # the built copy of the function's CodeUri (Lambda's /var/task)
    layer_dir: Path  # the layer's python folder (Lambda's /opt/python)
    environment: Mapping[str, str]  # template Globals + the function's own
    timeout_seconds: float
    memory_mb: int


@dataclass(frozen=True)
class Outcome:
    request_id: str
    result: Any = None
    error: dict[str, Any] | None = None
    cold_start_ms: float | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass
class CallFault:
    """Makes the ``call``-th AWS call of the next ``times`` invocations of ``function`` fail as a test needs.

    ``crash``: the environment dies just before that call (everything before it was done, nothing after);
    ``stall``: that call takes ``seconds`` (past the function's timeout, the invocation times out);
    ``crash_before_reply`` (``call`` 0): it dies after the handler returned, before Lambda answers — every
    write was done, and the caller sees a failure.
    """

    function: str
    call: int
    kind: str  # "crash" | "stall"
    seconds: float = 0.0
    times: int = 1
    hits: int = 0


class CallFaults:
    """The faults planned by tests; consulted before every AWS call a worker makes."""

    def __init__(self) -> None:
        self._planned: list[CallFault] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def plan(self, fault: CallFault) -> Iterator[CallFault]:
        with self._lock:
            self._planned.append(fault)
        try:
            yield fault
        finally:
            with self._lock:
                self._planned.remove(fault)

    def before_call(self, function: str, call: int) -> CallFault | None:
        with self._lock:
            for fault in self._planned:
                if fault.function == function and fault.call == call and fault.hits < fault.times:
                    fault.hits += 1
                    return fault
        return None


@dataclass
class RuntimeSettings:
    """How workers reach the emulated AWS and what the local runtime adds."""

    endpoints: dict[str, str]  # AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...
    credentials: Callable[[FunctionSpec], dict[str, str]]
    clock_offset: Callable[[], float]
    authorize: Authorize | None = None
    faults: CallFaults = field(default_factory=CallFaults)
    region: str = "us-east-1"
    clock_module: str = "oms.clock"
    log_dir: Path | None = None
    python: str = sys.executable
    max_environments: int = DEFAULT_MAX_ENVIRONMENTS


class InitFailed(RuntimeError):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("errorMessage", "init failed"))
        self.error = error


def _lambda_environment(spec: FunctionSpec, settings: RuntimeSettings) -> dict[str, str]:
    """The variables Lambda's Python runtime sets, then the template's, then the local endpoints."""
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        # Nothing of the developer's own AWS set-up may leak in.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONUNBUFFERED": "1",
    }
    environment.update(settings.credentials(spec))
    environment.update(spec.environment)
    environment.update(settings.endpoints)
    # One endpoint serves every service locally; AWS puts some operations on a prefixed host
    # (sync-states.<region>.amazonaws.com for StartSyncExecution), which a loopback address cannot take.
    environment["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    return environment


class Environment:
    """One worker process: started, initialised, then invoked one event at a time."""

    def __init__(self, spec: FunctionSpec, settings: RuntimeSettings) -> None:
        self.spec = spec
        self.settings = settings
        ours, theirs = socket.socketpair()
        self._log: IO[bytes] | int = subprocess.DEVNULL
        if settings.log_dir is not None:
            settings.log_dir.mkdir(parents=True, exist_ok=True)
            self._log = open(settings.log_dir / f"{spec.logical_id}.log", "ab")  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [settings.python, "-I", "-S", str(BOOTSTRAP), str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                env=_lambda_environment(spec, settings),
                cwd=str(spec.code_dir),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        finally:
            theirs.close()
        self.channel = Channel(ours)
        self.alive = True
        self.init_ms = 0.0
        self.python_version = ""  # what the worker reports once ready
        self.calls = 0  # AWS calls made by the current invocation

    def initialise(self) -> float:
        """Import the handler; the init duration in ms. Raises :class:`InitFailed`."""
        started = time.monotonic()
        self.channel.send(
            {
                "type": "init",
                "paths": [str(self.spec.code_dir), str(self.spec.layer_dir)],
                "handler": self.spec.handler,
                "authorize": True,  # every AWS call is announced: the role decides, tests inject faults
                "clock_module": self.settings.clock_module,
                "memory_mb": self.spec.memory_mb,
            }
        )
        try:
            answer = self._receive(started + max(INIT_TIMEOUT_SECONDS, self.spec.timeout_seconds))
        except (TimeoutError, EOFError, OSError) as exc:
            self.end()
            raise InitFailed(
                {"errorType": "Runtime.InitError", "errorMessage": f"init failed: {exc}", "stackTrace": []}
            ) from exc
        if answer.get("type") != "ready":
            self.end()
            raise InitFailed(dict(answer.get("error") or {"errorType": "Runtime.InitError"}))
        self.init_ms = float(answer.get("init_ms", 0))
        self.python_version = str(answer.get("python", ""))
        return (time.monotonic() - started) * 1000

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self.channel.sock.settimeout(remaining)
        return self.channel.receive()

    def invoke(self, event: Any, request_id: str, clock_offset: float) -> Outcome:
        self.calls = 0
        started = time.monotonic()
        deadline = started + self.spec.timeout_seconds
        try:
            self.channel.sock.settimeout(None)
            self.channel.send(
                {
                    "type": "invoke",
                    "event": event,
                    "request_id": request_id,
                    "remaining_ms": self.spec.timeout_seconds * 1000,
                    "function_arn": self.spec.arn,
                    "clock_offset_seconds": clock_offset,
                }
            )
            while True:
                message = self._receive(deadline)
                kind = message.get("type")
                if kind == "authorize":
                    self._authorize(message)
                elif kind == "result":
                    if self.settings.faults.before_call(self.spec.logical_id, 0) is not None:
                        self.process.kill()
                        raise EOFError("ended before its reply")
                    return Outcome(request_id, result=message.get("result"))
                else:
                    return Outcome(request_id, error=dict(message.get("error") or {}))
        except TimeoutError:
            self.end()
            took = time.monotonic() - started
            log.warning("%s: task timed out after %.2f s", self.spec.logical_id, took)
            return Outcome(
                request_id,
                error={
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                    f"{self.spec.timeout_seconds:.2f} seconds",
                },
            )
        except (EOFError, OSError, ValueError):
            status = self.end()
            log.warning("%s: the environment died mid-invocation (%s)", self.spec.logical_id, status)
            return Outcome(
                request_id,
                error={
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {status}",
                },
            )

    def _authorize(self, message: dict[str, Any]) -> None:
        self.calls += 1
        fault = self.settings.faults.before_call(self.spec.logical_id, self.calls)
        if fault is not None and fault.kind == "crash":
            log.warning("%s: ending the environment before AWS call %d", self.spec.logical_id, self.calls)
            self.process.kill()
            return  # the next read finds the channel closed
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.seconds)
        allowed, text, code = True, "", ""
        if self.settings.authorize is not None:
            decision = self.settings.authorize(
                self.spec.logical_id, str(message["service"]), str(message["operation"]), message["params"]
            )
            allowed, text, code = decision.allowed, decision.message, decision.error_code
            if not allowed:
                log.warning("%s: %s", self.spec.logical_id, text)
        self.channel.send({"type": "decision", "allowed": allowed, "message": text, "error_code": code})

    def end(self) -> str:
        """Stop the worker (if it still runs); how it ended, as Lambda words it."""
        self.alive = False
        with contextlib.suppress(OSError):
            self.channel.sock.close()
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if not isinstance(self._log, int):
            self._log.close()
        code = self.process.returncode
        if code is None:
            return "unknown"
        return f"signal: {-code}" if code < 0 else f"exit status {code}"


@dataclass
class FunctionEnvironments:
    """The environments of one function: idle ones are reused, the most recently used first."""

    spec: FunctionSpec
    settings: RuntimeSettings
    idle: list[Environment] = field(default_factory=list)
    busy: int = 0
    starting: bool = False
    cold_starts: list[float] = field(default_factory=list)  # ms, from start to ready
    python_versions: set[str] = field(default_factory=set)  # what its workers run under
    condition: threading.Condition = field(default_factory=threading.Condition)

    def invoke(self, event: Any, request_id: str) -> Outcome:
        try:
            environment, cold_ms = self._acquire()
        except InitFailed as exc:  # Lambda answers the invocation with the init error
            return Outcome(request_id, error={**exc.error, "requestId": request_id})
        started = time.monotonic()
        try:
            outcome = environment.invoke(event, request_id, self.settings.clock_offset())
        finally:
            self._release(environment)
        log.debug(
            "%s: %s invocation %s in %.1f ms",
            self.spec.logical_id,
            "warm" if cold_ms is None else "cold",
            request_id,
            (time.monotonic() - started) * 1000,
        )
        return Outcome(outcome.request_id, outcome.result, outcome.error, cold_ms)

    def _acquire(self) -> tuple[Environment, float | None]:
        """An idle environment, or a new one and its cold start in ms. Raises :class:`InitFailed`.

        One environment of a function starts at a time: a burst is served by the environments that free
        up while the next one starts, instead of a herd of interpreters starting at once on a host with a
        few cores, which would slow every start down together (and with them every invocation waiting on
        one downstream).
        """
        with self.condition:
            while not self.idle and (self.busy >= self.settings.max_environments or self.starting):
                self.condition.wait()
            self.busy += 1
            if self.idle:
                return self.idle.pop(), None
            self.starting = True
        try:
            environment = Environment(self.spec, self.settings)
            took = environment.initialise()
        except BaseException as exc:
            self._release(None)
            if isinstance(exc, InitFailed):
                log.error("%s: init failed: %s", self.spec.logical_id, exc.error.get("errorMessage"))
            raise
        finally:
            self._started()
        self.cold_starts.append(took)
        self.python_versions.add(environment.python_version)
        log.info(
            "%s: cold start in %.0f ms (handler import %.0f ms, Python %s)",
            self.spec.logical_id,
            took,
            environment.init_ms,
            environment.python_version,
        )
        return environment, took

    def _started(self) -> None:
        with self.condition:
            self.starting = False
            self.condition.notify_all()

    def _release(self, environment: Environment | None) -> None:
        with self.condition:
            self.busy -= 1
            if environment is not None and environment.alive:
                self.idle.append(environment)
            self.condition.notify_all()

    def close(self) -> None:
        with self.condition:
            idle, self.idle = self.idle, []
        for environment in idle:
            environment.end()


class Runtime:
    """Every function's environments."""

    def __init__(self, settings: RuntimeSettings) -> None:
        self.settings = settings
        self._functions: dict[str, FunctionEnvironments] = {}
        self._lock = threading.Lock()

    def invoke(self, spec: FunctionSpec, event: Any, request_id: str) -> Outcome:
        with self._lock:
            environments = self._functions.get(spec.logical_id)
            if environments is None or environments.spec != spec:
                if environments is not None:
                    environments.close()
                environments = FunctionEnvironments(spec, self.settings)
                self._functions[spec.logical_id] = environments
        # The event crosses a process boundary as JSON, as it does in Lambda.
        payload = json.loads(json.dumps(event, default=_json_default))
        return environments.invoke(payload, request_id)

    def cold_starts(self) -> dict[str, list[float]]:
        with self._lock:
            return {name: list(envs.cold_starts) for name, envs in self._functions.items()}

    def python_versions(self) -> dict[str, set[str]]:
        """Per function, the Python versions its workers reported when they became ready."""
        with self._lock:
            return {name: set(envs.python_versions) for name, envs in self._functions.items()}

    def environment_count(self) -> int:
        with self._lock:
            return sum(len(envs.idle) + envs.busy for envs in self._functions.values())

    def close(self) -> None:
        with self._lock:
            functions, self._functions = self._functions, {}
        for environments in functions.values():
            environments.close()


__all__ = ["CallFault", "CallFaults", "FunctionSpec", "Outcome", "Runtime", "RuntimeSettings"]
