"""HTTP entry point: the routes of `oms.api.storefront`."""

from oms.api.storefront import app
from oms.http import api_handler

handler = api_handler(app)
