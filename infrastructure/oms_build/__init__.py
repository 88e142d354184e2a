"""Builds the service's Lambda artefact from one source of truth (``pyproject.toml``), for three platforms.

- ``lambda``: CPython 3.12 on arm64, as the template deploys it (``make build``, ``sam build``);
- ``host``: the running interpreter, what the local stack's workers and the tests import;
- ``runtime``: CPython 3.12 on this machine's architecture, run by a Python 3.12 where the machine has one
  (the handlers' imports and cold starts under the runtime's own Python version).

The same code builds all three: a layer with the pinned run-time dependencies and the ``oms`` package, and a copy
of each function's ``CodeUri`` folder.
"""

from oms_build.artefact import Artefact, build, host_artefact
from oms_build.project import BuildError
from oms_build.targets import PlatformName

__all__ = ["Artefact", "BuildError", "PlatformName", "build", "host_artefact"]
