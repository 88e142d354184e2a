"""A Python client generated from the service's OpenAPI document by ``openapi-python-client``, as an
integrator would generate one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PACKAGE = "oms_client"


def generate(document: dict[str, Any], into: Path) -> subprocess.CompletedProcess[str]:
    """Generate the client package ``oms_client`` under ``into``; the tool's own run, output kept."""
    source = into / "openapi.json"
    source.write_text(json.dumps(document))
    tools = Path(sys.executable).parent  # its post-generation hooks run ruff from the same environment
    return subprocess.run(
        [str(tools / "openapi-python-client"), "generate", "--path", str(source),
         "--output-path", str(into / PACKAGE), "--meta", "none", "--overwrite"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
        check=False,
    )  # fmt: skip
