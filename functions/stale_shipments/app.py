"""Scheduled: parcels with no carrier news for too long get a ``delayed`` exception; the buyer is told."""

from oms.jobs import stale_shipments
from oms.jobs.scheduled import scheduled_job

handler = scheduled_job("stale-shipments", stale_shipments.run)
