"""A pytest plugin: every AWS call the stack's functions make is authorised against their roles and recorded.

    .venv/bin/pytest -p tests.iam_audit tests/e2e/test_order_story.py

Each stack the suites boot gets an :class:`~oms_local.iam.Authorizer` on its worker runtime, so a call the
function's role does not allow fails in the function with AWS's AccessDenied. At the end of the run the
report (``OMS_IAM_AUDIT``, default ``.iam-audit.json``) lists the requests refused and the template's grants
no recorded call needed. ``OMS_IAM_AUDIT_ENFORCE=0`` records the verdicts without enforcing them.

``make test`` runs every suite with it, and then the run **fails** if a request was refused or a grant no
recorded call needed is not one of :data:`NEEDED_BEYOND_THE_SUITES` (each with the path that needs it).
A run of some of the suites only reports: what it did not run cannot show a grant unused.
"""

from __future__ import annotations

import contextvars
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from oms import aws
from oms_local.functions import Functions
from oms_local.iam import Authorizer, Decision, Grant
from oms_local.template import TEMPLATE_PATH
from oms_local.testing import StackClient, Worlds

_authorizers: dict[int, Authorizer] = {}

# Grants no suite exercises that a path of the code needs; each says which. The report lists them apart.
NEEDED_BEYOND_THE_SUITES = {
    (
        "StorefrontApiFunction",
        "dynamodb:DeleteItem",
        "table/oms-prod-idempotency",
    ): "a failed request frees its key",
    (
        "AdminApiFunction",
        "dynamodb:UpdateItem",
        "table/oms-prod-idempotency",
    ): "an idempotent request completes",
    ("ReviewReturnFunction", "dynamodb:UpdateItem", "table/oms-prod"): "the rules approve a return",
    ("ReviewReturnFunction", "events:PutEvents", "event-bus/oms-prod"): "the rules approve a return",
    ("ReviewReturnFunction", "dynamodb:PutItem", "table/oms-prod"): "the rules approve an exchange",
    (
        "ReviewReturnFunction",
        "dynamodb:Query",
        "table/oms-prod/index/by_customer",
    ): "the rules approve an exchange",
    ("ReturnLapseFunction", "dynamodb:GetItem", "table/oms-prod"): "a return lapses",
    ("ReturnLapseFunction", "dynamodb:UpdateItem", "table/oms-prod"): "a return lapses",
    ("ReturnLapseFunction", "events:PutEvents", "event-bus/oms-prod"): "a return lapses",
    ("ReserveStockFunction", "dynamodb:BatchGetItem", "table/oms-prod"): "a reservation that lost a race",
    ("ReturnsApiFunction", "dynamodb:BatchGetItem", "table/oms-prod"): "an exchange's reservation races",
    ("StorefrontApiFunction", "dynamodb:BatchGetItem", "table/oms-prod"): "stock read with StockShards > 1",
    ("AdminApiFunction", "dynamodb:BatchGetItem", "table/oms-prod"): "stock read with StockShards > 1",
    (
        "AdminExceptionsApiFunction",
        "dynamodb:BatchGetItem",
        "table/oms-prod",
    ): "a reship with StockShards > 1",
    (
        "ReturnsApiFunction",
        "dynamodb:UpdateItem",
        "table/oms-prod-idempotency",
    ): "an idempotent request completes",
}


def explained(grant: Grant) -> str | None:
    """Why a grant no recorded call needed is kept, if it is one the code needs beyond the suites
    (``*`` is any action; a resource names the end of the ARN, or a folder of parameters)."""
    for (function, action, resource), reason in NEEDED_BEYOND_THE_SUITES.items():
        if (
            grant.principal == function
            and action in ("*", grant.action)
            and (grant.resource.endswith(resource) or (resource.endswith("/") and resource in grant.resource))
        ):
            return reason
    return None


# The function running in this process (handler tests run functions in-process), with its authorizer.
_running: contextvars.ContextVar[tuple[str, Authorizer] | None] = contextvars.ContextVar(
    "running", default=None
)


def _enforcing() -> bool:
    return os.environ.get("OMS_IAM_AUDIT_ENFORCE", "1") != "0"


def attach(client: StackClient) -> Authorizer:
    """The authorizer of the client's template, attached to its worker runtime."""
    template = client.local.template
    # The stack authorises its workers' calls already: the report reads that authorizer's records.
    authorizer = _authorizers.setdefault(id(template), client.cloud.authorizer or Authorizer(template))
    runtime = client.cloud.functions.runtime
    if runtime is not None:
        enforce = _enforcing()

        def authorize(function: str, service: str, operation: str, params: dict[str, Any]) -> Decision:
            decision = authorizer.check(function, service, operation, params)
            return decision if enforce or decision.allowed else Decision(True, "", "")

        runtime.settings.authorize = authorize
    return authorizer


def _authorize_in_process(service: str, client: Any) -> None:
    """Functions run in this process make their calls through ``oms.aws``: each is checked before it is sent."""

    def before_parameter_build(model: Any, params: Any, **_: Any) -> None:
        running = _running.get()
        if running is None:
            return  # the test itself, not a function
        function, authorizer = running
        decision = authorizer.check(function, model.service_model.service_name, model.name, params)
        if not decision.allowed and _enforcing():
            error = {"Error": {"Code": decision.error_code, "Message": decision.message}}
            raise ClientError(error, model.name)

    # Before the parameters are serialised: the call as the function made it, as the workers announce it.
    client.meta.events.register("before-parameter-build", before_parameter_build)


@pytest.fixture(scope="session", autouse=True)
def _audit_every_world() -> Iterator[None]:
    original_get, original_invoke = Worlds.get, Functions.invoke

    def get(self: Worlds, engine: str | None = None, template: Any = None) -> StackClient:
        client = original_get(self, engine, template)
        attach(client)
        return client

    def invoke(self: Functions, name_or_arn: str, event: Any, request_id: str | None = None) -> Any:
        authorizer = _authorizers.setdefault(id(self.template), Authorizer(self.template))
        token = _running.set((self.get(name_or_arn).logical_id, authorizer))
        try:
            return original_invoke(self, name_or_arn, event, request_id)
        finally:
            _running.reset(token)

    Worlds.get = get
    Functions.invoke = invoke
    aws.client_hooks.append(_authorize_in_process)
    aws.reset()
    try:
        yield
    finally:
        Worlds.get = original_get
        Functions.invoke = original_invoke
        aws.client_hooks.remove(_authorize_in_process)
        _write_report()


def _write_report() -> None:
    """One report per template file: a grant is unused when no stack booted from that file needed it."""
    by_file: dict[str, list[Authorizer]] = {}
    for authorizer in _authorizers.values():
        by_file.setdefault(str(authorizer.template.path), []).append(authorizer)
    report: dict[str, Any] = {}
    for path, authorizers in by_file.items():
        records: dict[Any, int] = {}
        for authorizer in authorizers:
            for record, count in authorizer.records().items():
                records[record] = records.get(record, 0) + count
        unused_everywhere = set.intersection(*({str(g) for g in a.unused_grants()} for a in authorizers))
        unused = [g for g in authorizers[0].unused_grants() if str(g) in unused_everywhere]
        report[path] = {
            "requests": sum(records.values()),
            "denied": sorted({f"{r.function}: {r.action} on {r.resource}" for r in records if not r.allowed}),
            "unused": sorted(str(g) for g in unused if explained(g) is None),
            "kept_for_paths_beyond_the_suites": sorted(
                f"{g} - {explained(g)}" for g in unused if explained(g)
            ),
        }
    Path(os.environ.get("OMS_IAM_AUDIT", ".iam-audit.json")).write_text(json.dumps(report, indent=2))
    _findings.clear()
    _findings.update(findings(report))


def findings(report: dict[str, Any]) -> dict[str, list[str]]:
    """What fails the run: refused requests and unexplained unused grants of template.yaml (the
    least-privilege suite boots copies with a grant taken out on purpose; they are reported, not judged)."""
    deployed = str(TEMPLATE_PATH.resolve())
    return {
        f"{path}: {kind}": entries
        for path, found in report.items()
        if str(Path(path).resolve()) == deployed
        for kind in ("denied", "unused")
        if (entries := found[kind])
    }


_findings: dict[str, list[str]] = {}


def _whole_suite(session: pytest.Session) -> bool:
    """Every suite ran: no paths, keywords, markers or deselections narrowed the run."""
    options = session.config.option
    narrowed = bool(options.keyword or options.markexpr or getattr(options, "deselect", None))
    return not narrowed and session.config.args_source != pytest.Config.ArgsSource.ARGS


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _findings or not _whole_suite(session):
        return
    lines = [f"{what}:\n  " + "\n  ".join(entries) for what, entries in sorted(_findings.items())]
    print("\nIAM audit: refused requests or grants no call needed\n" + "\n".join(lines))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
