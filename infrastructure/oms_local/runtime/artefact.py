"""The artefact the local stack runs: the same build as ``make build``, and the Python that runs it."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oms_build import Artefact

# ``host`` keeps the workers on the development interpreter even where a Python 3.12 is found.
WORKER_PYTHON_VARIABLE = "OMS_LOCAL_WORKER_PYTHON"


@dataclass(frozen=True)
class WorkerBuild:
    """What the workers import (an ``oms_build.Artefact``) and the interpreter they run in."""

    artefact: Artefact
    python: str
    version: str


def host() -> Artefact:
    """The host-platform artefact (built once, then only the project's own code is copied again)."""
    from oms_build import host_artefact

    return host_artefact()


def for_workers() -> WorkerBuild:
    """Lambda's Python version where this machine has it: the ``runtime`` build run by a Python 3.12, so
    the workers import the service as Lambda's runtime does, version included. Else (or with
    ``OMS_LOCAL_WORKER_PYTHON=host``) the host build, run by this interpreter."""
    from oms_build import build, bytecode
    from oms_build.targets import runtime_target

    wanted = runtime_target().python_version
    python = None if os.environ.get(WORKER_PYTHON_VARIABLE) == "host" else bytecode.interpreter(wanted)
    if python is None:
        return WorkerBuild(host(), sys.executable, f"{sys.version_info.major}.{sys.version_info.minor}")
    return WorkerBuild(build("runtime"), python, wanted)


def log_dir() -> Path:
    """Where the workers' standard output and error go (Lambda sends them to CloudWatch Logs)."""
    configured = os.environ.get("OMS_LOCAL_LOG_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"oms-local-{os.getpid()}"
