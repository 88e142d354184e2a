"""template.yaml is deployable and operable as written: lint-clean, arm64, least privilege, nothing lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from oms_local.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_yaml((ROOT / "template.yaml").read_text())
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


FUNCTIONS = of_type("AWS::Serverless::Function")


def test_cfn_lint_reports_nothing() -> None:
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(lint), str(ROOT / "template.yaml")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_functions_run_on_arm64_python_312_with_tracing() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["Architectures"] == ["arm64"]
    assert globals_["Runtime"] == "python3.12"
    assert globals_["Tracing"] == "Active"
    for name, function in FUNCTIONS.items():
        assert "Architectures" not in function["Properties"] and "Runtime" not in function["Properties"], name


def test_every_function_has_its_code_folder_and_a_sample_event_shape() -> None:
    for name, function in FUNCTIONS.items():
        folder = ROOT / function["Properties"]["CodeUri"]
        assert (folder / "app.py").is_file(), name
        assert function["Properties"]["Handler"] == "app.handler", name


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in function["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found += policy["Statement"]
    return found


def test_no_function_may_do_everything() -> None:
    for name, function in FUNCTIONS.items():
        policies = function["Properties"].get("Policies", [])
        assert all(isinstance(p, dict) for p in policies), f"{name} uses a managed policy by name"
        for statement in _statements(function):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), (name, actions)
            if statement.get("Resource") == "*":
                # Only SMS needs a wildcard (a phone number is no ARN), and only for the sms protocol.
                assert actions == ["sns:Publish"] and statement["Condition"], (name, statement)


def test_queues_have_dead_letter_queues_and_consumers_report_partial_failures() -> None:
    queues = of_type("AWS::SQS::Queue")
    dead_letter = {name for name in queues if "DeadLetter" in name}
    for name, queue in queues.items():
        if name in dead_letter:
            assert queue["Properties"]["MessageRetentionPeriod"] == 1209600
            continue
        redrive = queue["Properties"]["RedrivePolicy"]
        assert redrive["maxReceiveCount"] <= 5
        assert redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] in dead_letter
    for name, function in FUNCTIONS.items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name


def test_tables_are_protected_and_recoverable() -> None:
    for name, table in of_type("AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert table["DeletionPolicy"] == "Retain", name
        assert props["DeletionProtectionEnabled"] is True, name
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert props["BillingMode"] == "PAY_PER_REQUEST", name


def test_the_archive_bucket_is_private_and_ages_out() -> None:
    (bucket,) = of_type("AWS::S3::Bucket").values()
    props = bucket["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert {rule["Id"] for rule in props["LifecycleConfiguration"]["Rules"]} == {
        "cold-after-90-days",
        "expire-after-7-years",
    }


def test_state_machines_come_from_asl_files_with_substitutions() -> None:
    for name, machine in of_type("AWS::Serverless::StateMachine").items():
        uri = ROOT / machine["Properties"]["DefinitionUri"]
        definition = json.loads(uri.read_text())
        used = {part.split("}")[0] for part in uri.read_text().split("${")[1:]}
        assert used == set(machine["Properties"]["DefinitionSubstitutions"]), name
        assert definition["StartAt"] in definition["States"]


def test_webhook_routes_are_public_and_everything_else_needs_a_token() -> None:
    for name, function in FUNCTIONS.items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            public = event["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
            path = event["Properties"]["Path"]
            assert public == (path.startswith("/v1/webhooks/") or path in ("/health", "/openapi.json")), (
                name,
                path,
            )


@pytest.mark.parametrize("sample", sorted((ROOT / "events").glob("*.json")), ids=lambda p: p.name)
def test_sample_events_are_valid_json_for_a_function(sample: Path) -> None:
    json.loads(sample.read_text())
    folder = sample.stem.split("_api_")[0] + "_api" if "_api_" in sample.stem else sample.stem
    assert (ROOT / "functions" / folder / "app.py").is_file(), sample.name
