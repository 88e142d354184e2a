"""HTTP entry point: the routes of `oms.api.admin_exceptions`."""

from oms.api.admin_exceptions import app
from oms.http import api_handler

handler = api_handler(app)
