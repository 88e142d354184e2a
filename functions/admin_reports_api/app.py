"""HTTP entry point: the routes of `oms.api.admin_reports`."""

from oms.api.admin_reports import app
from oms.http import api_handler

handler = api_handler(app)
