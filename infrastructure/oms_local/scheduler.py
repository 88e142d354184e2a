"""The template's schedules, fired against the service's clock (``oms.clock``), which tests can move.

moto stores schedules but fires none. Here a background thread looks every half second; a schedule that
became due fires once, however many of its times the clock jumped over (coalesced), and its next time is
counted from the new now. ``cron(...)`` is honoured on its minute and hour fields only.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from oms import clock

from oms_local.functions import Functions, Invocation
from oms_local.lambda_endpoint import InFlight
from oms_local.template import Schedule

log = logging.getLogger("local_stack.scheduler")

TICK_SECONDS = 0.5

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_AT = re.compile(r"^at\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class UnknownSchedule(LookupError):
    """No schedule of that name in the template."""


def _cron_field(spec: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = int(part)
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    return values


def next_time(expression: str, after: datetime) -> datetime | None:
    """The first time strictly after ``after`` the expression names (``None``: never again)."""
    rate = _RATE.match(expression.strip())
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        return after + timedelta(seconds=amount * _UNIT_SECONDS[unit])
    cron = _CRON.match(expression.strip())
    if cron:
        fields = cron.group(1).split()
        minutes, hours = _cron_field(fields[0], 0, 59), _cron_field(fields[1], 0, 23)
        candidate = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(2 * 24 * 60):
            if candidate.minute in minutes and candidate.hour in hours:
                return candidate
            candidate += timedelta(minutes=1)
        return None
    at = _AT.match(expression.strip())
    if at:
        moment = clock.parse(at.group(1) + ("Z" if not at.group(1).endswith("Z") else ""))
        return moment if moment > after else None
    raise ValueError(f"schedule expression {expression!r} is not understood locally")


@dataclass
class _Entry:
    schedule: Schedule
    due: datetime | None


class Scheduler:
    """Fires the template's schedules; ``run(name)`` fires one now, whatever its time."""

    def __init__(self, schedules: dict[str, Schedule], functions: Functions, automatic: bool) -> None:
        self.functions = functions
        self.automatic = automatic
        self.in_flight = InFlight()
        self._schedules = schedules
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rearm()

    @property
    def names(self) -> list[str]:
        return sorted(self._schedules)

    def rearm(self) -> None:
        """Count every schedule's next time from now (at start and after a reset)."""
        now = clock.now()
        with self._lock:
            self._entries = {
                name: _Entry(schedule, next_time(schedule.expression, now) if schedule.enabled else None)
                for name, schedule in self._schedules.items()
            }

    def start(self) -> None:
        if not self.automatic:
            return
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")

    def tick(self) -> list[str]:
        """Fire what is due (once each), if automatic firing is on; answer the names fired."""
        if not self.automatic:
            return []
        fired = []
        with self._lock:
            now = clock.now()
            due = [e for e in self._entries.values() if e.due is not None and e.due <= now]
            for entry in due:
                entry.due = next_time(entry.schedule.expression, now)
        for entry in due:
            self._fire(entry.schedule)
            fired.append(entry.schedule.local_name)
        return fired

    def schedule(self, name: str) -> Schedule:
        for schedule in self._schedules.values():
            if name in (schedule.local_name, schedule.name):
                return schedule
        raise UnknownSchedule(name)

    def run(self, name: str) -> Invocation:
        """Run one schedule's function now, in this thread; answers what it returned."""
        return self._fire(self.schedule(name))

    def _fire(self, schedule: Schedule) -> Invocation:
        event: Any = json.loads(schedule.input) if schedule.input else {}
        with self.in_flight:
            outcome = self.functions.invoke(schedule.function, event)
        if outcome.failed:
            log.warning("schedule %s failed: %s", schedule.local_name, outcome.error)
        else:
            log.info("schedule %s ran", schedule.local_name)
        return outcome

    def next_due(self) -> dict[str, str | None]:
        with self._lock:
            return {name: clock.iso(e.due) if e.due else None for name, e in self._entries.items()}
