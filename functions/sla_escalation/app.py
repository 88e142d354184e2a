"""Scheduled: flag reviews past their SLA deadline and tell staff."""

from oms.jobs import sla_escalation
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("sla-escalation", sla_escalation.run)
