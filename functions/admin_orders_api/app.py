"""HTTP entry point: the routes of `oms.api.admin_orders`."""

from oms.api.admin_orders import app
from oms.http import api_handler

handler = api_handler(app)
