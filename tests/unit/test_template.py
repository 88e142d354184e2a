"""template.yaml is deployable and operable as written: lint-clean, arm64, least privilege, nothing lost."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
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
        for statement in _flat_statements(function):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), (name, actions)
            if statement.get("Resource") == "*":
                # Only SMS needs a wildcard (a phone number is no ARN). No condition: sns:Protocol is a key
                # of Subscribe, absent from a publish, so conditioning on it refuses every text message.
                assert actions == ["sns:Publish"] and "Condition" not in statement, (name, statement)


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
    props = RESOURCES["ArchiveBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert {rule["Id"] for rule in props["LifecycleConfiguration"]["Rules"]} == {
        "cold-after-90-days",
        "expire-after-7-years",
    }
    for name, bucket in of_type("AWS::S3::Bucket").items():
        assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values()), name


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
            documents = ("/health", "/openapi.json", "/asyncapi.json")
            assert public == (path.startswith(("/v1/webhooks/", "/v1/event-schemas")) or path in documents), (
                name,
                path,
            )


@pytest.mark.parametrize("sample", sorted((ROOT / "events").glob("*.json")), ids=lambda p: p.name)
def test_sample_events_are_valid_json_for_a_function(sample: Path) -> None:
    json.loads(sample.read_text())
    folder = sample.stem.split("_api_")[0] + "_api" if "_api_" in sample.stem else sample.stem
    assert (ROOT / "functions" / folder / "app.py").is_file(), sample.name


# ---------------------------------------------------------------------------------------------- alarms


ALARMS = of_type("AWS::CloudWatch::Alarm")
DEAD_LETTER_QUEUES = {name for name in of_type("AWS::SQS::Queue") if "DeadLetter" in name}
STATE_MACHINES = of_type("AWS::Serverless::StateMachine")


def _metric_stats(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """Every metric an alarm reads: (namespace, name, dimensions) whether single-metric or metric math."""
    props = alarm["Properties"]
    if "MetricName" in props:
        return [{"Namespace": props["Namespace"], "MetricName": props["MetricName"], **props}]
    return [query["MetricStat"]["Metric"] for query in props["Metrics"] if "MetricStat" in query]


def _watchers(namespace: str, metric: str, dimension: str, value: Any) -> list[str]:
    return [
        name
        for name, alarm in ALARMS.items()
        for stat in _metric_stats(alarm)
        if stat["Namespace"] == namespace
        and stat["MetricName"] == metric
        and {"Name": dimension, "Value": value} in stat.get("Dimensions", [])
    ]


def test_every_alarm_notifies_the_alarm_topic_and_mail_is_optional() -> None:
    assert ALARMS
    for name, alarm in ALARMS.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching", name
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert TEMPLATE["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_alarm_on_its_errors_and_throttles(metric: str) -> None:
    for name in FUNCTIONS:
        watchers = _watchers("AWS/Lambda", metric, "FunctionName", {"Ref": name})
        assert len(watchers) == 1, (name, metric, watchers)
        # Metric math alarms must return what they read: the expression names every metric it adds.
        props = ALARMS[watchers[0]]["Properties"]
        if "Metrics" in props:
            (expression,) = [q["Expression"] for q in props["Metrics"] if "Expression" in q]
            ids = {q["Id"] for q in props["Metrics"] if "MetricStat" in q}
            assert all(metric_id in expression for metric_id in ids), (name, expression)


def test_every_dead_letter_queue_has_an_alarm_on_its_depth() -> None:
    assert {"NotifyDeadLetterQueue", "RefundDeadLetterQueue", "JobsDeadLetterQueue"} <= DEAD_LETTER_QUEUES
    for name in DEAD_LETTER_QUEUES:
        (watcher,) = _watchers(
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", {"Fn::GetAtt": [name, "QueueName"]}
        )
        props = ALARMS[watcher]["Properties"]
        assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanThreshold", 0), name


@pytest.mark.parametrize("metric", ["ExecutionsFailed", "ExecutionsTimedOut"])
def test_every_state_machine_has_an_alarm_on_failed_and_timed_out_executions(metric: str) -> None:
    assert len(STATE_MACHINES) >= 3
    for name in STATE_MACHINES:
        assert len(_watchers("AWS/States", metric, "StateMachineArn", {"Ref": name})) == 1, (name, metric)


def test_business_alarms_watch_metrics_the_code_emits_in_the_namespace_it_uses() -> None:
    from oms import metrics

    namespace = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    for metric in (metrics.SLA_BREACHES, metrics.WEBHOOK_SIGNATURE_FAILURES):
        (watcher,) = _watchers(namespace, metric, "service", metrics.SERVICE)  # type: ignore[arg-type]
        assert ALARMS[watcher]["Properties"]["Statistic"] == "Sum"
    assert _watchers("AWS/ApiGateway", "5xx", "ApiId", {"Ref": "HttpApi"})


# ---------------------------------------------------------------------------------------------- dashboard


def _substituted(text: str) -> str:
    """A !Sub string with every ${...} replaced by a stand-in; each must name a parameter or resource."""

    def stand_in(match: Any) -> str:
        name = match.group(1)
        root = name.split(".", 1)[0]
        assert name.startswith("AWS::") or root in TEMPLATE["Parameters"] or root in RESOURCES, name
        return f"sub-{name.replace(':', '-').replace('.', '-')}"

    import re

    return re.sub(r"\$\{([^}!]+)\}", stand_in, text)


def test_the_dashboard_is_json_and_shows_the_business_and_every_function_and_queue() -> None:
    from oms import metrics

    (dashboard,) = of_type("AWS::CloudWatch::Dashboard").values()
    body = json.loads(_substituted(dashboard["Properties"]["DashboardBody"]["Fn::Sub"]))
    rows = [row for widget in body["widgets"] for row in widget["properties"]["metrics"]]
    plain = [row for row in rows if isinstance(row[0], str)]
    names = {row[1] for row in plain}
    assert {
        metrics.ORDERS_PLACED,
        metrics.PAYMENTS_CAPTURED,
        metrics.PAYMENTS_FAILED,
        metrics.ORDERS_CANCELLED,
        metrics.RETURNS_REQUESTED,
        metrics.REFUNDS_ISSUED,
        metrics.REFUNDED_AMOUNT,
        metrics.SLA_BREACHES,
        metrics.WEBHOOK_SIGNATURE_FAILURES,
        metrics.STOCK_REJECTIONS,
    } <= names
    errors = {row[3] for row in plain if row[:3] == ["AWS/Lambda", "Errors", "FunctionName"]}
    assert errors == {f"sub-{name}" for name in FUNCTIONS}
    depth = {row[3] for row in plain if row[1] == "ApproximateNumberOfMessagesVisible"}
    assert depth == {f"sub-{name}-QueueName" for name in DEAD_LETTER_QUEUES}
    latency = [w for w in body["widgets"] if any(r[1:2] == ["Latency"] for r in w["properties"]["metrics"])]
    assert [w["properties"]["stat"] for w in latency] == ["p99"]
    searches = [row[0]["expression"] for row in rows if isinstance(row[0], dict)]
    assert any("ReturnsRequested" in s and "reason" in s for s in searches)
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24


# ---------------------------------------------------------------------------------------------- secrets


def _flat_statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    """Statements with Fn::If branches taken both ways (AWS::NoValue dropped)."""
    flat = []
    for statement in _statements(function):
        if "Fn::If" in statement:
            _, when_true, when_false = statement["Fn::If"]
            flat += [s for s in (when_true, when_false) if s != {"Ref": "AWS::NoValue"}]
        else:
            flat.append(statement)
    return flat


def test_secrets_are_read_from_their_own_parameters_only() -> None:
    # The live refund calls and the trade query sign and verify with these (read in live mode only).
    payment_calls = {
        "stripe-api-key",
        "alipay-app-id",
        "alipay-app-private-key",
        "alipay-public-key",
        "wechatpay-mchid",
        "wechatpay-merchant-serial",
        "wechatpay-merchant-private-key",
        "wechatpay-platform-public-key",
    }
    provider_keys = {
        "stripe-webhook-secret",
        "alipay-public-key",
        "alipay-app-id",
        "wechatpay-platform-public-key",
        "wechatpay-apiv3-key",
        "kuaidi100-salt",
        "aftership-webhook-secret",
        "easypost-webhook-secret",
    }
    readers = {
        "WebhooksApiFunction": {
            "${PaymentWebhookSecretParameter}",
            "${CarrierWebhookSecretParameter}",
            *(f"${{ProviderSecretsPath}}/{key}" for key in provider_keys),
        },
        "RefundFunction": {f"${{ProviderSecretsPath}}/{key}" for key in payment_calls},
        "ReleaseUnpaidFunction": {f"${{ProviderSecretsPath}}/{key}" for key in payment_calls},
        "CheckPendingRefundsFunction": {f"${{ProviderSecretsPath}}/{key}" for key in payment_calls},
    }
    for name, function in FUNCTIONS.items():
        policies = function["Properties"].get("Policies", [])
        assert not any(key.startswith("SSM") for p in policies for key in p), name
        ssm = [s for s in _flat_statements(function) if str(s["Action"]).startswith("ssm:")]
        if name not in readers:
            assert not ssm, name
            continue
        (statement,) = ssm
        assert statement["Action"] == "ssm:GetParameter"
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        named = {r["Fn::Sub"].rsplit(":parameter", 1)[1] for r in resources}
        assert named == readers[name]
        (decrypt,) = [s for s in _statements(function) if "Fn::If" in s]
        condition, granted, _ = decrypt["Fn::If"]
        assert condition == "HasSecretsKmsKey"
        assert granted["Action"] == "kms:Decrypt" and granted["Resource"] == {"Ref": "SecretsKmsKeyArn"}
        assert "kms:ViaService" in granted["Condition"]["StringEquals"]


def test_every_setting_the_template_passes_is_one_the_configuration_reads() -> None:
    from oms.config import Settings

    aliases = {field.alias for field in Settings.model_fields.values()}
    # Read by the libraries themselves, not by the service's configuration.
    runtime_only = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "PYDANTIC_DISABLE_PLUGINS"}
    for scope in [TEMPLATE["Globals"]["Function"], *(f["Properties"] for f in FUNCTIONS.values())]:
        for variable in (scope.get("Environment") or {}).get("Variables", {}):
            assert variable in aliases | runtime_only, variable
    timers = {"REVIEW_SLA_HOURS", "RETURN_REVIEW_SLA_HOURS", "AUTO_CONFIRM_DAYS", "STALE_SHIPMENT_HOURS"}
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    for variable in timers | {"PAYMENT_TIMEOUT_MINUTES", "ARCHIVE_AFTER_DAYS"}:
        assert variables[variable]["Ref"] in TEMPLATE["Parameters"], variable


def test_pydantic_looks_for_no_plugin_at_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydantic's own loader, given the template's setting, must not read the layer's entry points."""
    from pydantic.plugin import _loader

    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", variables["PYDANTIC_DISABLE_PLUGINS"])
    monkeypatch.setattr(_loader, "_plugins", None)

    def scanned(**_: object) -> None:
        raise AssertionError("pydantic read the entry points")

    monkeypatch.setattr(_loader, "entry_points", scanned)
    assert list(_loader.get_plugins()) == []


# ---------------------------------------------------------------------------------------------- resilience


def test_scheduled_jobs_retry_and_keep_what_failed_every_retry() -> None:
    jobs = {
        name: function
        for name, function in FUNCTIONS.items()
        if any(e["Type"] == "ScheduleV2" for e in function["Properties"].get("Events", {}).values())
    }
    assert len(jobs) >= 6
    dead_letter = {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    for name, function in jobs.items():
        invoke = function["Properties"]["EventInvokeConfig"]
        assert invoke["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": dead_letter}, name
        assert invoke["MaximumRetryAttempts"] >= 1, name
        for event in function["Properties"]["Events"].values():
            assert event["Properties"]["DeadLetterConfig"] == {"Arn": dead_letter}, name
            assert event["Properties"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1, name


def test_consumers_of_rate_limited_services_are_capped() -> None:
    for name in ("NotifyFunction", "RefundFunction"):
        (event,) = FUNCTIONS[name]["Properties"]["Events"].values()
        assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == 2, name


def _task_states(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in states.items():
        if state["Type"] == "Task":
            yield name, state
        for branch in state.get("Branches", []):
            yield from _task_states(branch["States"])
        if "Iterator" in state or "ItemProcessor" in state:
            yield from _task_states((state.get("ItemProcessor") or state["Iterator"])["States"])


@pytest.mark.parametrize(
    "machine", sorted((ROOT / "infrastructure/statemachines").glob("*.asl.json")), ids=lambda p: p.stem
)
def test_every_task_state_retries_with_backoff(machine: Path) -> None:
    tasks = list(_task_states(json.loads(machine.read_text())["States"]))
    assert tasks
    for name, state in tasks:
        assert state["Retry"], name
        for retry in state["Retry"]:
            assert (
                retry["MaxAttempts"] >= 2 and retry["BackoffRate"] >= 2 and retry["IntervalSeconds"] >= 1
            ), name
            if state["Resource"].startswith("arn:aws:states:::lambda:"):
                assert "Lambda.TooManyRequestsException" in retry["ErrorEquals"], name
        for catch in state.get("Catch", []):
            assert catch["Next"] in json.loads(machine.read_text())["States"], name


def test_the_archive_keeps_records_for_years_in_cold_storage() -> None:
    props = RESOURCES["ArchiveBucket"]["Properties"]
    assert RESOURCES["ArchiveBucket"]["DeletionPolicy"] == "Retain"
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    rules = {rule["Id"]: rule for rule in props["LifecycleConfiguration"]["Rules"]}
    (transition,) = rules["cold-after-90-days"]["Transitions"]
    assert transition["StorageClass"] in ("GLACIER_IR", "GLACIER", "STANDARD_IA", "DEEP_ARCHIVE")
    assert rules["expire-after-7-years"]["ExpirationInDays"] >= 7 * 365


# ---------------------------------------------------------------------------------------------- console, outputs


def test_the_console_is_served_from_a_private_bucket_through_cloudfront_only() -> None:
    bucket = RESOURCES["ConsoleBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    distribution = RESOURCES["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = distribution["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["DomainName"] == {"Fn::GetAtt": ["ConsoleBucket", "RegionalDomainName"]}
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert distribution["DefaultRootObject"] == "index.html"
    assert (ROOT / "infrastructure/console/index.html").is_file()
    allow, deny = RESOURCES["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "${ConsoleDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": False}}
    cors = RESOURCES["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Fn::Sub": "https://${ConsoleDistribution.DomainName}"}]
    assert "x-correlation-id" in cors["ExposeHeaders"]


def test_the_outputs_name_what_a_platform_needs() -> None:
    outputs = TEMPLATE["Outputs"]
    for name in ("ApiUrl", "ConsoleUrl", "ConsoleBucketName", "EventBusName", "AlarmTopicArn"):
        assert name in outputs, name
    assert outputs["ConsoleUrl"]["Value"] == {"Fn::Sub": "https://${ConsoleDistribution.DomainName}"}
    assert outputs["AlarmTopicArn"]["Value"] == {"Ref": "AlarmTopic"}
    assert outputs["EventBusName"]["Value"] == {"Ref": "OmsEventBus"}


# ---------------------------------------------------------------------------------------------- samconfig


def test_samconfig_parses_and_names_only_the_templates_parameters() -> None:
    import shlex
    import tomllib

    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for env in ("default", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= set(deploy["capabilities"].split())
        assert deploy["resolve_s3"] is True and deploy["confirm_changeset"] is True
        overrides = dict(item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"]))
        assert set(overrides) <= set(TEMPLATE["Parameters"]), set(overrides) - set(TEMPLATE["Parameters"])
        assert overrides["Stage"] == ("dev" if env == "default" else "prod")
        assert config[env]["global"]["parameters"]["stack_name"] == f"oms-{overrides['Stage']}"
        for key, value in overrides.items():
            spec = TEMPLATE["Parameters"][key]
            if "AllowedValues" in spec:
                assert value in spec["AllowedValues"], key
            if "AllowedPattern" in spec:
                import re

                assert re.fullmatch(spec["AllowedPattern"], value), (key, value)
        # Secrets live under the stage's own prefix.
        assert all(
            overrides[p].startswith(f"/oms/{overrides['Stage']}/")
            for p in ("PaymentWebhookSecretParameter", "CarrierWebhookSecretParameter")
        )
