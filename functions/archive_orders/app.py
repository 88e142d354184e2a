"""Scheduled: write completed orders past retention to the S3 archive as JSON lines by date."""

from oms.jobs import archive_orders
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("archive-orders", archive_orders.run)
