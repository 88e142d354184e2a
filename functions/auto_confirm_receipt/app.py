"""Scheduled: complete delivered orders after the quiet period with no open exception or return."""

from oms.jobs import auto_confirm
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("auto-confirm-receipt", auto_confirm.run)
