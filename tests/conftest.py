"""Shared fixtures: the local cloud and the local stack, booted once per session and reset per test.

- ``engine``: ``"moto"`` and ``"local"`` (Amazon DynamoDB Local; skipped when Java is missing). A test that
  takes ``engine`` (or ``cloud``, or ``engine_stack``) runs once per engine.
- ``cloud``: the local cloud for that engine, emptied, with no queue pollers running: for handler and store
  tests that call code directly (boto3 from anywhere in the process reaches it); its functions run
  in-process, so such a test can reach inside them (injected faults, counted writes).
- ``stack``/``engine_stack``: the full local stack over HTTP (pollers running, schedules fired only on request),
  once per engine; its functions run as deployed, each in worker processes of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from oms_local.cloud import Cloud
from oms_local.dynamodb_local import available as dynamodb_local_available
from oms_local.dynamodb_local import java_available
from oms_local.testing import StackClient, Worlds

_LOCAL_SKIP_REASON = (
    "Java not found" if not java_available() else "DynamoDB Local jar not found (npm install)"
)

ENGINE_PARAMS = [
    pytest.param("moto", id="moto"),
    pytest.param(
        "local",
        id="dynamodb_local",
        marks=[
            pytest.mark.dynamodb_local,
            pytest.mark.skipif(not dynamodb_local_available(), reason=_LOCAL_SKIP_REASON),
        ],
    ),
]


def pytest_configure(config: pytest.Config) -> None:
    # The documented local JWT secret is short on purpose; it guards nothing real.
    config.addinivalue_line("filterwarnings", "ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture(scope="session")
def local_worlds() -> Iterator[Worlds]:
    worlds = Worlds()
    try:
        yield worlds
    finally:
        worlds.close()


@pytest.fixture(scope="session", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cloud(local_worlds: Worlds, engine: str) -> Iterator[Cloud]:
    world = local_worlds.get(engine)
    world.local.reset(resume_pollers=False)
    world.cloud.functions.in_process = True
    try:
        yield world.cloud
    finally:
        world.cloud.functions.in_process = False
        world.local.resume_pollers()


@pytest.fixture
def stack(local_worlds: Worlds, engine: str) -> StackClient:
    """The end-to-end suites run on each engine (DynamoDB Local when Java is present)."""
    world = local_worlds.get(engine)
    world.reset()
    return world


@pytest.fixture
def engine_stack(local_worlds: Worlds, engine: str) -> StackClient:
    world = local_worlds.get(engine)
    world.reset()
    return world
