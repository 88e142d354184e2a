"""HTTP entry point: the routes of `oms.api.returns`."""

from oms.api.returns import app
from oms.http import api_handler

handler = api_handler(app)
