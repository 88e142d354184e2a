"""A Python process holding only the standard library and the artefact, with Lambda's environment.

The development interpreter runs with ``-I -S``: no site-packages, no ``PYTHON*`` variables, no current
folder on the path; ``sys.path`` is then the function's folder and the layer, as Lambda's runtime sets it
(/var/task, /opt/python), before the standard library.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from oms_build import Artefact
from oms_local.template import Function, Template

# Nothing listens there: an import that calls AWS fails at once instead of reaching a real account.
UNREACHABLE_AWS = "http://127.0.0.1:9"

_PREAMBLE = """
import sys
sys.path[:0] = sys.argv[1:3]
del sys.argv[1:3]
"""


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def lambda_environment(fn: Function, function_dir: Path) -> dict[str, str]:
    """The function's template environment and what Lambda's runtime adds; nothing of this shell."""
    region = fn.arn.split(":")[3]
    return {
        **fn.environment,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": fn.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]00000000000000000000000000000000",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "fake-secret-access-key",
        "AWS_SESSION_TOKEN": "fake-session-token",
        "AWS_ENDPOINT_URL": UNREACHABLE_AWS,
        "LAMBDA_TASK_ROOT": str(function_dir),
        "_HANDLER": fn.handler,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }


def run(
    code: str,
    paths: tuple[Path, Path],
    environment: dict[str, str],
    *args: str,
    python: str = sys.executable,
) -> Outcome:
    """Run ``code`` with ``paths`` (function folder, layer) first on ``sys.path``; ``args`` in ``sys.argv[1:]``."""
    done = subprocess.run(
        [python, "-I", "-S", "-c", _PREAMBLE + code, *map(str, paths), *args],
        env=environment,
        cwd=paths[0],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


_IMPORT_HANDLER = """
import importlib, json, sys
module, _, attribute = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), attribute)
print(json.dumps({"callable": callable(handler), "module": sys.modules[module].__file__}))
"""


def import_handler(artefact: Artefact, fn: Function, python: str = sys.executable) -> str | None:
    """Import ``fn``'s handler from ``artefact`` alone with ``python``: None when it imports and is
    callable, else what went wrong."""
    function_dir = artefact.function_dir(fn.code_dir)
    done = run(
        _IMPORT_HANDLER,
        (function_dir, artefact.layer_python),
        lambda_environment(fn, function_dir),
        fn.handler,
        python=python,
    )
    if done.returncode != 0:
        return done.stderr.strip() or f"exit {done.returncode}"
    found = json.loads(done.stdout)
    if not found["callable"]:
        return f"{fn.handler} is not callable"
    if not Path(found["module"]).is_relative_to(function_dir):
        return f"{fn.handler} was imported from {found['module']}, not from {function_dir}"
    return None


def handlers_that_fail_to_import(
    artefact: Artefact, template: Template, python: str = sys.executable
) -> list[str]:
    """Every function of ``template`` imported from ``artefact`` with ``python``: what failed, per function."""
    functions = sorted(template.functions.values(), key=lambda fn: fn.logical_id)
    assert functions
    with ThreadPoolExecutor(max_workers=2) as pool:  # two at a time: the machine is shared
        errors = list(pool.map(lambda fn: import_handler(artefact, fn, python), functions))
    return [
        f"{fn.logical_id} ({fn.code_dir.relative_to(template.path.parent)}, {fn.handler}):\n{error}"
        for fn, error in zip(functions, errors, strict=True)
        if error is not None
    ]
