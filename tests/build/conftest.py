"""The two builds, made once per session (both cached under ``build/``: fast after the first time)."""

from __future__ import annotations

import pytest
from oms_build import Artefact, build, host_artefact
from oms_local.template import Template, load


@pytest.fixture(scope="session")
def host() -> Artefact:
    return host_artefact()


@pytest.fixture(scope="session")
def lambda_build() -> Artefact:
    # Downloads wheels for Linux arm64 the first time (PyPI); later runs reuse build/dependencies.
    return build("lambda")


@pytest.fixture(scope="session")
def template() -> Template:
    return load()
