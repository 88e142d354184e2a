"""Scheduled: queue the next attempt of every webhook delivery whose retry time has come."""

from oms.jobs.scheduled import scheduled_job
from oms.lifecycle.webhook_deliveries import retry_due

handler = scheduled_job("retry-webhooks", retry_due)
