"""Back-office reports (API.md "Back office"): carriers, orders and returns over a period of UTC days.

Every report reads per-day counters kept as the events happen (``store/carrier_stats``,
``store/report_stats``), never the orders themselves, so its cost follows the length of the period only.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from oms import clock
from oms.domain import reports
from oms.domain.carrier_report import summarise
from oms.domain.reports import DATE_OR_TIME
from oms.http import create_app, json_response, require_admin
from oms.store import carrier_stats, report_stats
from oms.store.table import Table

app = create_app()
From = Annotated[str | None, Query(alias="from", pattern=DATE_OR_TIME)]
To = Annotated[str | None, Query(pattern=DATE_OR_TIME)]


def _period(from_: str | None, to: str | None) -> tuple[date, date]:
    """For an admin only: the report's days, ``from`` to ``to`` (by default the last ``reports.DEFAULT_DAYS`` up to today)."""
    require_admin(app)
    return reports.report_period(from_, to, clock.now().date())


def _counters_report(
    from_: str | None, to: str | None, dimensions: tuple[str, ...], build: Callable[..., dict[str, Any]]
) -> Response[str]:
    """The report ``build`` makes of the period's daily counters of ``dimensions``."""
    first, last = _period(from_, to)
    rows = report_stats.read(Table(), first, last, dimensions)
    return json_response(200, build(rows, first, last))


@app.get(
    "/v1/admin/reports/carriers",
    summary="Per carrier: on-time rate against the promised date, transit time, exception, damage, loss rates",
)
def carrier_report(from_: From = None, to: To = None) -> Response[str]:
    first, last = _period(from_, to)
    rows = carrier_stats.read(Table(), first, last)
    return json_response(
        200,
        {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "basis": "parcels handed to the carrier in the period (by ship date, UTC)",
            "carriers": summarise(rows),
        },
    )


@app.get(
    "/v1/admin/reports/orders",
    summary="Per day and in total: orders, GMV, cancellation and exception rates, fulfilment and delivery times",
)
def order_report(from_: From = None, to: To = None) -> Response[str]:
    return _counters_report(from_, to, reports.ORDER_DIMENSIONS, reports.order_report)


@app.get(
    "/v1/admin/reports/feedback",
    summary="Buyer feedback per SKU and per carrier: count, average rating, rating spread and tags",
)
def feedback_report(from_: From = None, to: To = None) -> Response[str]:
    return _counters_report(from_, to, reports.FEEDBACK_DIMENSIONS, reports.feedback_report)


@app.get(
    "/v1/admin/reports/returns",
    summary="Return rate by reason, category, SKU and channel; approval rate; review and refund SLA compliance",
)
def return_report(from_: From = None, to: To = None) -> Response[str]:
    return _counters_report(from_, to, reports.RETURN_DIMENSIONS, reports.return_report)
