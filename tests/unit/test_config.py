"""Configuration fails fast: a setting a function needs and is not given fails its cold start, by name.

Each function is imported as Lambda's init imports it, with only what the template gives it (Globals
merged with its own ``Environment``) plus the variables Lambda's runtime sets (see handler_imports.py).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from oms import config
from oms_local.template import load, load_yaml
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "shared"
PROBE = Path(__file__).with_name("handler_imports.py")
TEMPLATE = load()
OWN_ENVIRONMENT: dict[str, dict[str, Any]] = {
    name: (resource["Properties"].get("Environment") or {}).get("Variables", {})
    for name, resource in load_yaml((ROOT / "template.yaml").read_text())["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}

# What a handler imports only when a request needs it: called after the import, so the imported modules'
# checks run too (test_the_project_imports_lazily_only_where_listed keeps this list complete).
LAZY = {"MetaApiFunction": ["oms.api.meta:openapi_document"]}

# Variables a function is given that none of its modules declares, and why.
UNDECLARED_ALLOWED: dict[str, set[str]] = {}

# A function's template environment changed (None: left out), and how its import must fail.
BROKEN: dict[str, tuple[str, dict[str, str | None], str | None]] = {
    "no archive bucket": (
        "ArchiveOrdersFunction",
        {"ARCHIVE_BUCKET": None},
        "MissingSetting: ARCHIVE_BUCKET is not set (needed by oms.jobs.archive_orders, function {function})",
    ),
    "empty archive bucket": (
        "ArchiveOrdersFunction",
        {"ARCHIVE_BUCKET": ""},
        "MissingSetting: ARCHIVE_BUCKET is empty (needed by oms.jobs.archive_orders, function {function})",
    ),
    "blank queue url": (
        "WebhooksApiFunction",
        {"TRACKING_QUEUE_URL": " "},
        "MissingSetting: TRACKING_QUEUE_URL is empty (needed by oms.lifecycle.tracking_queue, ",
    ),
    "no place-order arn": (
        "StorefrontApiFunction",
        {"PLACE_ORDER_STATE_MACHINE_ARN": None},
        "MissingSetting: PLACE_ORDER_STATE_MACHINE_ARN is not set (needed by oms.workflows, ",
    ),
    "no return lifecycle arn": (
        "OrderWorkflowFunction",
        {"RETURN_LIFECYCLE_STATE_MACHINE_ARN": None},
        "MissingSetting: RETURN_LIFECYCLE_STATE_MACHINE_ARN is not set (needed by oms.lifecycle.workflow_start, ",
    ),
    "no table": ("NotifyFunction", {"TABLE_NAME": None}, "MissingSetting: TABLE_NAME is not set (needed by "),
    "no bus": (
        "RefundFunction",
        {"EVENT_BUS_NAME": None},
        "MissingSetting: EVENT_BUS_NAME is not set (needed by ",
    ),
    "no timer": (
        "ValidateOrderFunction",
        {"PAYMENT_TIMEOUT_MINUTES": None},
        "MissingSetting: PAYMENT_TIMEOUT_MINUTES is not set (needed by oms.placing, ",
    ),
    "no carrier secret": (
        "WebhooksApiFunction",
        {"CARRIER_WEBHOOK_SECRET_PARAM": None},
        "MissingSetting: CARRIER_WEBHOOK_SECRET_PARAM or CARRIER_WEBHOOK_SECRET is not set "
        "(needed by oms.api.webhooks, ",
    ),
    "documented with no queue url": (
        "MetaApiFunction",
        {"TRACKING_QUEUE_URL": None},
        "MissingSetting: TRACKING_QUEUE_URL is not set (needed by oms.lifecycle.tracking_queue, ",
    ),
    "carrier secret as a literal": (
        "WebhooksApiFunction",
        {"CARRIER_WEBHOOK_SECRET_PARAM": None, "CARRIER_WEBHOOK_SECRET": "s3cret"},
        None,
    ),
}


def lambda_environment(logical_id: str, changes: dict[str, str | None]) -> dict[str, str]:
    """What Lambda's Python runtime sets, then the function's template environment, then ``changes``."""
    fn = TEMPLATE.functions[logical_id]
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": fn.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "LAMBDA_TASK_ROOT": str(fn.code_dir),
        "_HANDLER": fn.handler,
        **fn.environment,
    }
    for key, value in changes.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


def import_case(case_id: str, logical_id: str, changes: dict[str, str | None]) -> dict[str, Any]:
    fn = TEMPLATE.functions[logical_id]
    return {
        "id": case_id,
        "environment": lambda_environment(logical_id, changes),
        "path": [str(fn.code_dir), str(LAYER)],
        "handler": fn.handler,
        "calls": LAZY.get(logical_id, []),
    }


@cache
def imported() -> dict[str, dict[str, Any]]:
    """Every function as the template gives it, and the broken cases: one interpreter, each a cold start."""
    cases = [import_case(logical_id, logical_id, {}) for logical_id in TEMPLATE.functions]
    cases += [
        import_case(case_id, logical_id, changes) for case_id, (logical_id, changes, _) in BROKEN.items()
    ]
    done = subprocess.run(
        [sys.executable, "-I", str(PROBE)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return results


@pytest.mark.parametrize("logical_id", sorted(TEMPLATE.functions))
def test_each_function_starts_with_only_what_the_template_gives_it(logical_id: str) -> None:
    result = imported()[logical_id]
    assert result["error"] is None, f"{logical_id}: {result['error']}"


@pytest.mark.parametrize("logical_id", sorted(OWN_ENVIRONMENT))
def test_a_function_is_given_only_settings_its_modules_declare(logical_id: str) -> None:
    own = set(OWN_ENVIRONMENT[logical_id])
    declared = set(imported()[logical_id]["declared"])
    assert own - declared - UNDECLARED_ALLOWED.get(logical_id, set()) == set()


@pytest.mark.parametrize("case_id", sorted(BROKEN))
def test_a_missing_or_empty_setting_fails_the_cold_start_naming_it(case_id: str) -> None:
    logical_id, _, expected = BROKEN[case_id]
    error = imported()[case_id]["error"]
    if expected is None:
        assert error is None
    else:
        assert error is not None
        assert error.startswith(expected.format(function=TEMPLATE.functions[logical_id].name)), error


# ------------------------------------------------------------------------------------ in this process


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Change the environment, then :func:`config.reload`; both restored afterwards."""
    yield monkeypatch
    monkeypatch.undo()
    config.reload()


def test_reading_a_setting_not_given_names_it(environment: pytest.MonkeyPatch) -> None:
    environment.delenv("ARCHIVE_BUCKET", raising=False)
    settings = config.reload()
    assert not settings.has("ARCHIVE_BUCKET")
    with pytest.raises(config.MissingSetting, match=r"^ARCHIVE_BUCKET is not set$"):
        settings.archive_bucket  # noqa: B018


def test_an_empty_value_is_no_value(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("EVENT_BUS_NAME", "")
    environment.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    config.reload()
    with pytest.raises(config.MissingSetting, match=r"^EVENT_BUS_NAME is empty \(needed by oms.somewhere\)$"):
        config.require("EVENT_BUS_NAME", by="oms.somewhere")


def test_a_bad_value_fails_naming_the_variable(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("STOCK_SHARDS", "0")
    with pytest.raises(ValidationError, match="STOCK_SHARDS"):
        config.reload()


def test_only_settings_of_the_model_can_be_required() -> None:
    with pytest.raises(ValueError, match="ARCHIVE_BUCKETS"):
        config.require("ARCHIVE_BUCKETS", by="oms.somewhere")


def test_names_arns_urls_and_what_the_template_passes_have_no_default() -> None:
    fields = config.Settings.model_fields.values()
    secrets = {
        f.alias
        for f in fields
        if f.alias and f.alias.endswith(("SECRET", "KEY", "SALT", "APP_ID", "MCHID", "SERIAL", "_PARAM"))
    }
    defaults = {f.alias: f.default for f in fields if f.alias not in config.NO_DEFAULT | secrets}
    assert defaults == {
        "RETURN_INSPECTION_SLA_HOURS": 48,
        "MAX_BODY_BYTES": 65536,
        "STRIPE_API_URL": "https://api.stripe.com",
        "ALIPAY_GATEWAY_URL": "https://openapi.alipay.com/gateway.do",
        "WECHATPAY_API_URL": "https://api.mch.weixin.qq.com",
    }
    assert not set(defaults) & set(TEMPLATE.environment())
    # A secret is its literal or its parameter, either one, required by the module that uses it.
    assert {f.alias: f.default for f in fields if f.alias in secrets} == dict.fromkeys(secrets)


# ------------------------------------------------------------------------------------ the sources

SOURCES = sorted([*(LAYER / "oms").rglob("*.py"), *(ROOT / "functions").glob("*/app.py")])


def _module(path: Path) -> str:
    parts = path.relative_to(LAYER).with_suffix("").parts if path.is_relative_to(LAYER) else path.parts
    return ".".join(parts).removesuffix(".__init__")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_no_module_but_the_configuration_reads_the_environment() -> None:
    def reads_environment(tree: ast.Module) -> bool:
        names = {"environ", "environb", "getenv"}
        return any(
            (isinstance(node, ast.Attribute) and node.attr in names)
            or (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and {a.name for a in node.names} & names
            )
            for node in ast.walk(tree)
        )

    assert [
        _module(p) for p in SOURCES if p != LAYER / "oms" / "config.py" and reads_environment(_tree(p))
    ] == []


def _reads_and_declarations(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The Settings fields a module reads (``settings().x``, or ``s.x`` after ``s = settings()``) and the
    variables it declares (``require(...)``, ``require_secret(...)``)."""

    def calls(node: ast.AST, *names: str) -> bool:
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names

    holders = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and calls(node.value, "settings")
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    reads = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and (calls(node.value, "settings") or (isinstance(node.value, ast.Name) and node.value.id in holders))
    }
    declared = {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and calls(node, "require", "require_secret")
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    return reads, declared


@pytest.mark.parametrize("path", SOURCES, ids=_module)
def test_a_module_that_reads_a_setting_with_no_default_requires_it(path: Path) -> None:
    reads, declared = _reads_and_declarations(_tree(path))
    fields = config.Settings.model_fields
    needed = {fields[name].alias for name in reads if name in fields} & config.NO_DEFAULT
    assert needed <= declared, f"{_module(path)} reads {sorted(needed - declared)} without require()"


def test_the_project_imports_lazily_only_where_listed() -> None:
    """An import inside a function runs its modules' checks at a request, not at the cold start: where a
    handler does so it is listed in LAZY, so the import test calls it too."""
    lazy = set()
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").split(".")[0] == "oms":
                        lazy.add(f"{_module(path)}:{node.name}")
    assert lazy == {call for calls in LAZY.values() for call in calls}
