"""The whole local stack: the local cloud, the SQS pollers, the scheduler and the HTTP gateway.

``LocalStack(port=0).start()`` runs it in background threads of this process (tests do so);
``python -m oms_local`` runs it in the foreground.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from oms import clock

from oms_local import faults, moto_patches, notifications
from oms_local.auth import JwtSettings
from oms_local.cloud import Cloud, resolve_engine
from oms_local.dynamodb_local import DynamoDBLocal
from oms_local.gateway import Answer, Gateway, json_answer, problem
from oms_local.pollers import IDLE_SLEEP_SECONDS, QueuePoller, build_pollers
from oms_local.scheduler import Scheduler, UnknownSchedule
from oms_local.template import Template, load

log = logging.getLogger("local_stack.stack")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


def scheduler_default() -> bool:
    """Automatic firing: ``OMS_SCHEDULER=off`` turns it off (the test fixtures do); on otherwise."""
    return os.environ.get("OMS_SCHEDULER", "on").strip().lower() not in ("off", "0", "false", "no")


class LocalStack:
    """Implements the gateway's ``/_local`` control as well."""

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        engine: str | None = None,
        automatic_schedules: bool | None = None,
        template: Template | None = None,
        dynamodb_local: DynamoDBLocal | None = None,
    ) -> None:
        self.host = host or os.environ.get("OMS_HOST") or DEFAULT_HOST
        self.port = port if port is not None else int(os.environ.get("OMS_PORT") or DEFAULT_PORT)
        self.engine = resolve_engine(engine)
        self.automatic_schedules = scheduler_default() if automatic_schedules is None else automatic_schedules
        self.template = template or load()
        self.cloud = Cloud(self.template, self.engine, dynamodb_local)
        self.jwt = JwtSettings.from_template(self.template)
        self.pollers: list[QueuePoller] = []
        self.scheduler: Scheduler | None = None
        self.gateway: Gateway | None = None
        self.faults: faults.Faults | None = None

    @property
    def url(self) -> str:
        if self.gateway is None:
            raise RuntimeError("the local stack is not started")
        return self.gateway.url

    # -- life cycle

    def start(self) -> LocalStack:
        self.gateway = Gateway(
            self.template, self.cloud.functions, self.jwt, control=self, host=self.host, port=self.port
        )  # bind first: a busy port fails before anything boots
        try:
            self.cloud.open()
            self.faults = faults.from_environment()  # OMS_FAULTS=0.2: a share of DynamoDB calls fail
            if self.faults is not None:
                # Injected faults live in this process's DynamoDB clients: the functions run here too.
                self.cloud.functions.in_process = True
                log.warning(
                    "injecting DynamoDB faults into %.0f%% of calls (functions run in-process)",
                    self.faults.rate * 100,
                )
            self.pollers = build_pollers(self.cloud)
            for poller in self.pollers:
                poller.start()
            self.scheduler = Scheduler(
                self.template.schedules, self.cloud.functions, self.automatic_schedules
            )
            self.scheduler.start()
            self.gateway.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
        for poller in self.pollers:
            poller.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.faults is not None:
            log.warning("DynamoDB faults injected: %s", dict(self.faults.injected))
            faults.stop()
            self.faults = None
        self.cloud.close()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def pause_pollers(self) -> None:
        """Stop draining the queues (each poller finishes its batch first): all asked at once, then
        waited for, so a reset costs the longest batch, not the sum of them."""
        for poller in self.pollers:
            poller.ask_to_pause()
        for poller in self.pollers:
            poller.wait_parked()

    def resume_pollers(self) -> None:
        for poller in self.pollers:
            poller.resume()

    def reset(self, *, resume_pollers: bool = True) -> None:
        """Empty every table, queue and store, clock back to now; the stack keeps running."""
        self.pause_pollers()
        try:
            self.cloud.reset()
            if self.scheduler is not None:
                self.scheduler.rearm()
        finally:
            if resume_pollers:
                self.resume_pollers()

    # -- idle

    def busy(self) -> list[str]:
        """What is still going on (empty when idle)."""
        reasons = []
        sqs = self.cloud.client("sqs")
        for poller in self.pollers:
            if poller.in_flight.count:
                reasons.append(f"{poller.label}: a batch is being handled")
            attributes = sqs.get_queue_attributes(
                QueueUrl=poller.queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            waiting = sum(int(v) for v in attributes.values())
            if waiting:
                reasons.append(f"{poller.label}: {waiting} message(s) in the queue")
        if self.cloud.lambda_endpoint.in_flight.count:
            reasons.append("asynchronous Lambda invocations running")
        if self.scheduler is not None and self.scheduler.in_flight.count:
            reasons.append("a scheduled job is running")
        working = [e for e in self.cloud.running_executions() if not moto_patches.is_parked(e)]
        if working:
            reasons.append(f"{len(working)} Step Functions execution(s) running")
        return reasons

    def _activity(self) -> tuple[int, ...]:
        return (
            sum(p.in_flight.started for p in self.pollers),
            self.cloud.lambda_endpoint.in_flight.started,
            self.scheduler.in_flight.started if self.scheduler else 0,
            len(self.cloud.executions()),
        )

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once nothing is queued, in flight or running; checked twice with no activity between."""
        deadline = time.monotonic() + timeout
        before: tuple[int, ...] | None = None
        while True:
            activity = self._activity()
            if not self.busy():
                if before == activity:
                    return True
                before = activity
            else:
                before = None
            if time.monotonic() > deadline:
                log.warning("not idle after %.1f s: %s", timeout, "; ".join(self.busy()) or "activity")
                return False
            time.sleep(IDLE_SLEEP_SECONDS * 2)

    # -- the /_local control

    def clock_state(self) -> dict[str, Any]:
        return {"now": clock.now_iso(), "offset_seconds": clock.offset_seconds()}

    def advance(self, seconds: float) -> dict[str, Any]:
        clock.advance(seconds)
        fired = self.scheduler.tick() if self.scheduler is not None else []
        return {**self.clock_state(), "fired": fired}

    def run_schedule(self, name: str) -> Answer:
        if self.scheduler is None:
            return problem(503, "not_ready", "Not ready", "The scheduler is not running.")
        try:
            schedule = self.scheduler.schedule(name)
        except UnknownSchedule:
            known = ", ".join(self.scheduler.names) or "none"
            return problem(404, "schedule_not_found", "Not found", f"No schedule {name!r}; known: {known}.")
        fn = self.template.functions[schedule.function]
        if not self.cloud.functions.exists_on_disk(fn):
            self.cloud.functions.report_missing(fn)
            return problem(501, "not_implemented", "Not implemented", f"{fn.logical_id} is not written yet.")
        outcome = self.scheduler.run(schedule.local_name)
        if outcome.failed:
            return problem(
                500,
                "schedule_failed",
                "The scheduled job failed",
                f"{schedule.local_name} raised {outcome.error.get('errorType') if outcome.error else 'an error'}.",
                request_id=outcome.request_id,
                error=outcome.error,
            )
        return json_answer(200, {"schedule": schedule.local_name, "result": outcome.result})

    def sent_notifications(self) -> list[dict[str, Any]]:
        return notifications.sent()
