"""HTTP entry point: the routes of `oms.api.admin_webhooks`."""

from oms.api.admin_webhooks import app
from oms.http import api_handler

handler = api_handler(app)
