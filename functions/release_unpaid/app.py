"""Scheduled: cancel orders whose payment deadline passed and release their stock."""

from oms.jobs import release_unpaid
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("release-unpaid", release_unpaid.run)
