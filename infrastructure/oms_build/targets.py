"""The platforms one artefact is built for: Lambda's runtime, the interpreter running the build, and this
machine's architecture with the runtime's Python version (cold starts measured under Lambda's Python)."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

PlatformName = Literal["host", "lambda", "runtime"]

# The template's Globals (Runtime, Architectures); tests/build checks they still agree.
LAMBDA_RUNTIME = "python3.12"
LAMBDA_ARCHITECTURE = "arm64"
_LAMBDA_PYTHON = "3.12"
_LAMBDA_WHEEL_PLATFORM = "manylinux2014_aarch64"

# Raised when what goes into a dependency folder changes (pip options, pruning), so old caches are not reused.
_CACHE_FORMAT = 1


@dataclass(frozen=True)
class Target:
    """How pip installs for one platform, and what identifies its installed dependencies."""

    name: PlatformName
    python_version: str
    identity: tuple[str, ...]  # the interpreter and machine the wheels are for
    pip_options: tuple[str, ...]
    # pip compiles bytecode with the interpreter running it: right for the host, useless (3.11 .pyc) for 3.12.
    keeps_bytecode: bool

    def cache_key(self, requirements: Sequence[str]) -> str:
        spec = [_CACHE_FORMAT, self.python_version, *self.identity, *self.pip_options, *requirements]
        digest = hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]
        return f"{self.name}-{self.python_version}-{digest}"


def _cpython_312_wheels(name: PlatformName, wheel_platform: str) -> Target:
    """Wheels for the runtime's Python version on ``wheel_platform``, installed by any pip: no Python 3.12
    needed to install (one compiles the bytecode where the machine has it)."""
    return Target(
        name=name,
        python_version=_LAMBDA_PYTHON,
        identity=("cp", wheel_platform),
        pip_options=(
            "--platform",
            wheel_platform,
            "--implementation",
            "cp",
            "--python-version",
            _LAMBDA_PYTHON,
            "--no-compile",
        ),
        keeps_bytecode=False,
    )


def lambda_target() -> Target:
    """Wheels for CPython 3.12 on Linux arm64, whatever machine builds: no Docker, no Python 3.12."""
    return _cpython_312_wheels("lambda", _LAMBDA_WHEEL_PLATFORM)


def host_target() -> Target:
    """Wheels for the interpreter running the build (the local stack's workers and the tests use it)."""
    libc = "-".join(platform.libc_ver())
    return Target(
        name="host",
        python_version=f"{sys.version_info.major}.{sys.version_info.minor}",
        identity=(sys.implementation.cache_tag or sys.implementation.name, sysconfig.get_platform(), libc),
        pip_options=(),
        keeps_bytecode=True,
    )


def runtime_target() -> Target:
    """The runtime's Python version (3.12) on this machine's architecture: the same layer as Lambda's,
    runnable here by a Python 3.12 when the machine has one (the local stack, tests/build, figure 4)."""
    return _cpython_312_wheels("runtime", f"manylinux2014_{platform.machine()}")


def target(name: PlatformName) -> Target:
    if name == "lambda":
        return lambda_target()
    if name == "host":
        return host_target()
    if name == "runtime":
        return runtime_target()
    raise ValueError(f"unknown platform {name!r}: host, lambda or runtime")
