"""A Python process holding only the standard library and the artefact, with Lambda's environment.

The development interpreter runs with ``-I -S``: no site-packages, no ``PYTHON*`` variables, no current
folder on the path; ``sys.path`` is then the function's folder and the layer, as Lambda's runtime sets it
(/var/task, /opt/python), before the standard library.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from oms_local.template import Function

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


def run(code: str, paths: tuple[Path, Path], environment: dict[str, str], *args: str) -> Outcome:
    """Run ``code`` with ``paths`` (function folder, layer) first on ``sys.path``; ``args`` in ``sys.argv[1:]``."""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _PREAMBLE + code, *map(str, paths), *args],
        env=environment,
        cwd=paths[0],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)
