"""HTTP entry point: the routes of `oms.api.meta`."""

from oms.api.meta import app
from oms.http import api_handler

handler = api_handler(app)
