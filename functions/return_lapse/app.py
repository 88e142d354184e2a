"""Scheduled: approved returns not shipped back in time lapse."""

from oms.jobs import return_lapse
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("return-lapse", return_lapse.run)
