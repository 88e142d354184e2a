"""HTTP entry point: the routes of `oms.api.webhooks`."""

from oms.api.webhooks import app
from oms.http import api_handler

handler = api_handler(app)
