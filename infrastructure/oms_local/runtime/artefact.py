"""The artefact the local stack runs: the same build as ``make build``, for this machine's interpreter."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def host() -> Any:
    """The host-platform artefact (built once, then only the project's own code is copied again)."""
    from oms_build import host_artefact

    return host_artefact()


def log_dir() -> Path:
    """Where the workers' standard output and error go (Lambda sends them to CloudWatch Logs)."""
    configured = os.environ.get("OMS_LOCAL_LOG_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"oms-local-{os.getpid()}"
