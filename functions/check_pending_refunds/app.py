"""Scheduled: ask the providers about refunds they left pending for an hour."""

from oms.jobs import pending_refunds
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("check-pending-refunds", pending_refunds.run)
