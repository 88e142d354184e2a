"""HTTP entry point: the routes of `oms.api.admin_returns`."""

from oms.api.admin_returns import app
from oms.http import api_handler

handler = api_handler(app)
