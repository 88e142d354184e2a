"""HTTP entry point: the routes of `oms.api.storefront_address`."""

from oms.api.storefront_address import app
from oms.http import api_handler

handler = api_handler(app)
