"""Back-office reports (API.md "Back office"): carriers, orders and returns over a period of UTC days.

Every report reads per-day counters kept as the events happen (``store/carrier_stats``,
``store/report_stats``), never the orders themselves, so its cost follows the length of the period only.
"""

from typing import Annotated

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


@app.get(
    "/v1/admin/reports/carriers",
    summary="Per carrier: on-time rate against the promised date, transit time, exception, damage, loss rates",
)
def carrier_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE_OR_TIME)] = None,
    to: Annotated[str | None, Query(pattern=DATE_OR_TIME)] = None,
) -> Response[str]:
    require_admin(app)
    first, last = reports.report_period(from_, to, clock.now().date())
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
def order_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE_OR_TIME)] = None,
    to: Annotated[str | None, Query(pattern=DATE_OR_TIME)] = None,
) -> Response[str]:
    require_admin(app)
    first, last = reports.report_period(from_, to, clock.now().date())
    rows = report_stats.read(Table(), first, last, reports.ORDER_DIMENSIONS)
    return json_response(200, reports.order_report(rows, first, last))


@app.get(
    "/v1/admin/reports/returns",
    summary="Return rate by reason, category, SKU and channel; approval rate; review and refund SLA compliance",
)
def return_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE_OR_TIME)] = None,
    to: Annotated[str | None, Query(pattern=DATE_OR_TIME)] = None,
) -> Response[str]:
    require_admin(app)
    first, last = reports.report_period(from_, to, clock.now().date())
    rows = report_stats.read(Table(), first, last, reports.RETURN_DIMENSIONS)
    return json_response(200, reports.return_report(rows, first, last))
