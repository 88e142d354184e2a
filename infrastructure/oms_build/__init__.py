"""Builds the service's Lambda artefact from one source of truth (``pyproject.toml``), for two platforms.

- ``lambda``: CPython 3.12 on arm64, as the template deploys it (``make build``, ``sam build``);
- ``host``: the running interpreter, what the local stack's workers and the tests import.

The same code builds both: a layer with the pinned run-time dependencies and the ``oms`` package, and a copy
of each function's ``CodeUri`` folder.
"""

from oms_build.artefact import Artefact, build, host_artefact
from oms_build.project import BuildError
from oms_build.targets import PlatformName

__all__ = ["Artefact", "BuildError", "PlatformName", "build", "host_artefact"]
