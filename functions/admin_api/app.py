"""HTTP entry point: the routes of `oms.api.admin`."""

from oms.api.admin import app
from oms.http import api_handler

handler = api_handler(app)
