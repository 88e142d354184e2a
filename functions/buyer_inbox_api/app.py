"""HTTP entry point: the routes of `oms.api.buyer_inbox`."""

from oms.api.buyer_inbox import app
from oms.http import api_handler

handler = api_handler(app)
