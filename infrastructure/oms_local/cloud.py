"""The local cloud: moto in-process (or DynamoDB Local for DynamoDB), with every resource of the template.

``with start(engine="moto") as cloud:`` gives handlers and store code the AWS they expect, with no HTTP
gateway: tables, queues (with redrive), bus, rules, state machines, buckets and schedules exist as the
template declares them, ``os.environ`` holds the functions' environment, and boto3 calls from anywhere in
the process reach moto, DynamoDB Local or the local Lambda endpoint. ``cloud.reset()`` empties it cheaply.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import boto3
from oms import clock

from oms_local import (
    ACCOUNT_ID,
    DEFAULT_CARRIER_WEBHOOK_SECRET,
    DEFAULT_JWT_SECRET,
    DEFAULT_PAYMENT_WEBHOOK_SECRET,
    DEFAULT_PROVIDER_SECRETS,
    PROVIDER_ENDPOINTS,
    REGION,
    STACK_NAME,
    moto_patches,
    notifications,
    provider_key,
)
from oms_local import template as template_module
from oms_local.dynamodb_local import DynamoDBLocal, java_available
from oms_local.functions import Functions
from oms_local.iam import Authorizer
from oms_local.lambda_endpoint import LambdaEndpoint
from oms_local.runtime.environments import Runtime, RuntimeSettings
from oms_local.template import Queue, Rule, RuleTarget, Template

log = logging.getLogger("local_stack.cloud")
# The moto server logs every request at INFO; the functions' calls are thousands per test.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

Engine = Literal["moto", "local"]
ENGINES: tuple[Engine, ...] = ("moto", "local")

__all__ = ["ENGINES", "Cloud", "Engine", "ShadowQueue", "java_available", "start"]

# Set before any boto3 client exists, so nothing can reach a real account.
_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}
_FUNCTION_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
_CLEARED_AWS_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE")

# The handlers' runtime in Lambda has these; locally, X-Ray has no daemon to talk to.
_RUNTIME_ENV = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
}


def local_secrets() -> dict[str, str]:
    """Secrets the local stack hands the handlers (documented defaults, overridable from the environment)."""
    return {
        "LOCAL_JWT_SECRET": os.environ.get("LOCAL_JWT_SECRET") or DEFAULT_JWT_SECRET,
        "PAYMENT_WEBHOOK_SECRET": os.environ.get("PAYMENT_WEBHOOK_SECRET") or DEFAULT_PAYMENT_WEBHOOK_SECRET,
        "CARRIER_WEBHOOK_SECRET": os.environ.get("CARRIER_WEBHOOK_SECRET") or DEFAULT_CARRIER_WEBHOOK_SECRET,
        **{
            name: os.environ.get(name) or _local_default(value)
            for name, value in DEFAULT_PROVIDER_SECRETS.items()
        },
    }


def _local_default(value: str) -> str:
    return provider_key(value.removeprefix("pem:")) if value.startswith("pem:") else value


def resolve_engine(engine: str | None = None) -> Engine:
    chosen = (engine or os.environ.get("OMS_DYNAMODB") or "moto").strip().lower()
    if chosen not in ENGINES:
        raise ValueError(f"OMS_DYNAMODB must be one of {', '.join(ENGINES)}, not {chosen!r}")
    return chosen


@dataclass(frozen=True)
class ShadowQueue:
    """An SQS queue standing in for a rule target moto's EventBridge cannot deliver to (Lambda, Step Functions)."""

    rule: Rule
    target: RuleTarget
    name: str
    url: str
    arn: str
    dlq_name: str

    @property
    def execution_name_prefix(self) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.target.id)[:20]


class Cloud:
    """The running local cloud. Made by :func:`start`."""

    def __init__(
        self, template: Template, engine: Engine, dynamodb_local: DynamoDBLocal | None = None
    ) -> None:
        """``dynamodb_local``: a running DynamoDB Local to use (and leave running) instead of starting one."""
        self.template = template
        self.engine = engine
        self.functions = Functions(template)
        self.lambda_endpoint = LambdaEndpoint(self.functions)
        self.dynamodb_local: DynamoDBLocal | None = dynamodb_local
        self._owns_dynamodb_local = dynamodb_local is None
        self.shadow_queues: dict[str, ShadowQueue] = {}
        self.environment: dict[str, str] = {}
        self._mock: Any = None
        self._clients: dict[str, Any] = {}
        self._session: boto3.session.Session | None = None
        self._saved_env: dict[str, str | None] = {}
        self._moto_server: Any = None
        self.authorizer: Authorizer | None = None

    # -- clients

    def client(self, service: str) -> Any:
        """A boto3 client of the local cloud (moto, DynamoDB Local or the Lambda endpoint)."""
        found = self._clients.get(service)
        if found is None:
            if self._session is None:
                # One session: its clients share the loaded service models (each costs ~100 ms cold).
                self._session = boto3.session.Session(region_name=REGION)
            found = self._session.client(service)
            self._clients[service] = found
        return found

    # -- life cycle

    def _set_env(self, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def _clear_env(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key in os.environ:
                self._saved_env.setdefault(key, os.environ.get(key))
                del os.environ[key]

    def open(self) -> None:
        from moto import mock_aws

        started = time.monotonic()
        self._clear_env(_CLEARED_AWS_ENV)
        self._set_env(_FAKE_AWS_ENV)
        moto_patches.apply()
        passthrough = ["lambda", "awslambda"]
        if self.engine == "local":
            if self.dynamodb_local is None:
                self.dynamodb_local = DynamoDBLocal()
                self.dynamodb_local.start()
            self._set_env({"AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_local.url})
            passthrough.append("dynamodb")
        else:
            self._clear_env(("AWS_ENDPOINT_URL_DYNAMODB",))
        self._mock = mock_aws(
            config={
                "stepfunctions": {"execute_state_machine": True},
                "core": {"passthrough": {"services": passthrough, "urls": []}, "reset_boto3_session": True},
            }
        )
        self._mock.start()
        self.lambda_endpoint.start()
        self._set_env({"AWS_ENDPOINT_URL_LAMBDA": self.lambda_endpoint.url})
        self._start_runtime()
        moto_patches.forget_clients()
        self.environment = self._handler_environment()
        self._set_env(self.environment)
        self._reload_oms()
        self.provision()
        log.info(
            "local cloud up (DynamoDB: %s) in %.0f ms",
            "DynamoDB Local" if self.engine == "local" else "moto",
            (time.monotonic() - started) * 1000,
        )

    def _start_runtime(self) -> None:
        """moto over HTTP (the same backends this process uses) and the functions' environments."""
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        from oms_local.runtime import artefact

        self._moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto_server.start()
        host, port = self._moto_server.get_host_and_port()
        endpoints = {"AWS_ENDPOINT_URL": f"http://{host}:{port}"}
        if self.engine == "local" and self.dynamodb_local is not None:
            endpoints["AWS_ENDPOINT_URL_DYNAMODB"] = self.dynamodb_local.url
        endpoints |= {name: os.environ[name] for name in PROVIDER_ENDPOINTS if os.environ.get(name)}
        # Every call a function makes is authorised against its role first, as IAM does in AWS.
        self.authorizer = Authorizer(self.template)
        workers = artefact.for_workers()
        built = workers.artefact
        log.info("functions run from %s under Python %s (%s)", built.root, workers.version, workers.python)
        self.functions.layer_dir = built.layer_python
        self.functions.code_dir_of = lambda fn: built.function_dir(fn.code_dir)
        self.functions.runtime = Runtime(
            RuntimeSettings(
                endpoints=endpoints,
                credentials=lambda spec: dict(_FUNCTION_CREDENTIALS),
                clock_offset=clock.offset_seconds,
                authorize=self.authorizer.check,
                region=REGION,
                log_dir=artefact.log_dir(),
                python=workers.python,
            )
        )

    def _stop_runtime(self) -> None:
        if self.functions.runtime is not None:
            self.functions.runtime.close()
            self.functions.runtime = None
        if self._moto_server is not None:
            self._moto_server.stop()
            self._moto_server = None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop_executions()
        self._stop_runtime()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        self.lambda_endpoint.stop()
        if self.dynamodb_local is not None and self._owns_dynamodb_local:
            self.dynamodb_local.stop()
            self.dynamodb_local = None
        self.functions.forget()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        self._clients.clear()
        self._session = None
        moto_patches.forget_clients()
        self._reload_oms()

    def _handler_environment(self) -> dict[str, str]:
        environment = {**_RUNTIME_ENV, **local_secrets()}
        environment.update(self.template.environment())
        return environment

    @staticmethod
    def _reload_oms() -> None:
        from oms import aws, clock, config

        config.reload()
        aws.reset()
        clock.reset()

    # -- resources

    def provision(self) -> None:
        """Create every resource of the template (idempotent against a fresh moto)."""
        self._create_tables()
        self._create_queues()
        self._create_buses_and_rules()
        self._create_state_machines()
        self._create_buckets()
        self._create_schedules()
        self._prepare_messaging()
        notifications.install()

    def _create_tables(self) -> None:
        if self.engine == "local":
            self._drop_tables()  # a shared DynamoDB Local may still hold the last run's
        dynamodb = self.client("dynamodb")
        for table in self.template.tables.values():
            dynamodb.create_table(**table.create_args)
            if table.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=table.name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
                )

    def _drop_tables(self) -> None:
        dynamodb = self.client("dynamodb")
        existing = set(dynamodb.list_tables().get("TableNames", []))
        for table in self.template.tables.values():
            if table.name in existing:
                dynamodb.delete_table(TableName=table.name)

    def _create_queue(self, name: str, attributes: Mapping[str, str]) -> str:
        return str(self.client("sqs").create_queue(QueueName=name, Attributes=dict(attributes))["QueueUrl"])

    def _create_queues(self) -> None:
        # Dead-letter queues first: a redrive policy must find its target.
        pending: dict[str, Queue] = dict(self.template.queues)
        while pending:
            ready = [
                q
                for q in pending.values()
                if q.dead_letter_queue is None or q.dead_letter_queue not in pending
            ]
            if not ready:
                raise template_module.TemplateError("queues form a redrive cycle")
            for queue in ready:
                self._create_queue(queue.name, queue.attributes)
                del pending[queue.logical_id]

    def _create_buses_and_rules(self) -> None:
        events = self.client("events")
        for bus in self.template.buses.values():
            if bus.name != "default":
                events.create_event_bus(Name=bus.name)
        self.shadow_queues = {}
        for rule in self.template.rules.values():
            args: dict[str, Any] = {
                "Name": rule.name,
                "EventBusName": rule.bus_name,
                "State": "ENABLED" if rule.enabled else "DISABLED",
            }
            if rule.pattern is not None:
                args["EventPattern"] = json.dumps(rule.pattern)
            if rule.schedule_expression:
                args["ScheduleExpression"] = rule.schedule_expression
            events.put_rule(**args)
            targets = [self._moto_target(rule, target) for target in rule.targets]
            if targets:
                answer = events.put_targets(Rule=rule.name, EventBusName=rule.bus_name, Targets=targets)
                if answer.get("FailedEntryCount"):
                    raise RuntimeError(f"rule {rule.logical_id}: targets refused: {answer['FailedEntries']}")

    def _moto_target(self, rule: Rule, target: RuleTarget) -> dict[str, Any]:
        """moto's EventBridge delivers to SQS only: other targets get a shadow queue a poller drains."""
        arn = target.arn
        if target.kind in ("lambda", "states"):
            shadow = self._shadow_queue(rule, target)
            self.shadow_queues[shadow.name] = shadow
            arn = shadow.arn
        elif target.kind != "sqs":
            raise template_module.TemplateError(
                f"rule {rule.logical_id}: target {target.id} ({target.arn}) cannot be delivered locally"
            )
        return {"Id": target.id, "Arn": arn, **target.extra}

    def _shadow_queue(self, rule: Rule, target: RuleTarget) -> ShadowQueue:
        base = re.sub(r"[^A-Za-z0-9_-]", "-", f"{STACK_NAME}-{rule.logical_id}-{target.id}")[:70]
        dlq_name = f"{base}-dlq"
        self._create_queue(dlq_name, {})
        dlq_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{dlq_name}"
        # Lambda retries an asynchronous invocation twice: three receives, then the dead-letter queue.
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        url = self._create_queue(base, {"VisibilityTimeout": "30", "RedrivePolicy": redrive})
        return ShadowQueue(
            rule=rule,
            target=target,
            name=base,
            url=url,
            arn=f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{base}",
            dlq_name=dlq_name,
        )

    def _create_state_machines(self) -> None:
        sfn = self.client("stepfunctions")
        for machine in self.template.state_machines.values():
            sfn.create_state_machine(
                name=machine.name, definition=machine.definition, roleArn=machine.role_arn, type=machine.type
            )

    def _create_buckets(self) -> None:
        s3 = self.client("s3")
        for bucket in self.template.buckets.values():
            s3.create_bucket(Bucket=bucket.name)

    def _create_schedules(self) -> None:
        scheduler = self.client("scheduler")
        for schedule in self.template.schedules.values():
            fn = self.template.functions[schedule.function]
            target: dict[str, Any] = {
                "Arn": fn.arn,
                "RoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{schedule.name}",
            }
            if schedule.input is not None:
                target["Input"] = schedule.input
            scheduler.create_schedule(
                Name=schedule.name,
                ScheduleExpression=schedule.expression,
                FlexibleTimeWindow={"Mode": "OFF"},
                Target=target,
                State="ENABLED" if schedule.enabled else "DISABLED",
            )

    def _prepare_messaging(self) -> None:
        """Verify the senders' identities in SES and put the webhook secrets where the template points."""
        from oms.config import settings

        ses = self.client("ses")
        identities = set(self.template.ses_identities)
        sender = settings().notify_sender
        if "@" in sender:
            identities.add(sender.split("@", 1)[1])
        for identity in sorted(identities):
            if "@" in identity:
                ses.verify_email_identity(EmailAddress=identity)
            else:
                ses.verify_domain_identity(Domain=identity)
        # App push: the platform applications the template's parameters name (made by hand in AWS, with
        # Apple's and Google's credentials; here with stand-ins).
        sns = self.client("sns")
        for name, arn in sorted(self.template.parameters.items()):
            if name.endswith("PlatformApplicationArn") and arn:
                _, _, _, _, _, resource = arn.split(":", 5)
                _, platform, app_name = resource.split("/", 2)
                sns.create_platform_application(
                    Name=app_name, Platform=platform, Attributes={"PlatformCredential": "local-stand-in"}
                )
        ssm = self.client("ssm")
        for literal in local_secrets():
            parameter = self.environment.get(f"{literal}_PARAM")
            if parameter:
                ssm.put_parameter(
                    Name=parameter, Value=self.environment[literal], Type="SecureString", Overwrite=True
                )

    # -- state

    def queue_url(self, logical_id_or_name: str) -> str:
        queue = self.template.queues.get(logical_id_or_name)
        if queue is not None:
            return queue.url
        return str(self.client("sqs").get_queue_url(QueueName=logical_id_or_name)["QueueUrl"])

    def executions(self) -> list[Any]:
        """Every execution moto's interpreter started (synchronous Express executions are not kept)."""
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends[ACCOUNT_ID][REGION]
        return [
            execution for machine in list(backend.state_machines) for execution in list(machine.executions)
        ]

    def running_executions(self) -> list[Any]:
        return [e for e in self.executions() if getattr(e, "exec_status", None) == "RUNNING"]

    def stop_executions(self) -> None:
        import datetime

        for execution in self.executions():
            if getattr(execution, "exec_status", None) == "RUNNING":
                with contextlib.suppress(Exception):
                    execution.stop(
                        datetime.datetime.now(tz=datetime.UTC), "States.Aborted", "local stack reset"
                    )
                    moto_patches.interrupt_waits(execution)

    def reset(self) -> None:
        """Forget all data: tables emptied, queues, executions, schedules and messages gone, clock at now.

        Callers stop their pollers first (the local stack does).
        """
        started = time.monotonic()
        self.stop_executions()
        self._mock.reset()
        moto_patches.prune_finished_threads()
        notifications.clear()
        self._reload_oms()
        self.provision()
        log.debug("local cloud reset in %.0f ms", (time.monotonic() - started) * 1000)


@contextlib.contextmanager
def start(
    engine: str | None = None,
    template: Template | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
) -> Iterator[Cloud]:
    """Boot the local cloud (no HTTP gateway, no pollers); everything is torn down on exit.

    ``engine`` is ``moto`` or ``local`` (DynamoDB Local); by default ``OMS_DYNAMODB`` or ``moto``.
    """
    chosen = resolve_engine(engine)
    cloud = Cloud(template or template_module.load(parameter_overrides=parameter_overrides), chosen)
    try:
        cloud.open()
        yield cloud
    finally:
        cloud.close()
