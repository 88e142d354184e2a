"""Back-office reports (API.md "Back office"): how the carriers perform."""

from datetime import date, timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from oms import clock
from oms.domain.carrier_report import summarise
from oms.http import create_app, json_response, require_admin
from oms.problems import FieldError, ValidationProblem
from oms.store import carrier_stats
from oms.store.table import Table

app = create_app()
DEFAULT_DAYS = 30
MAX_DAYS = 366
DATE_OR_TIME = r"^\d{4}-\d{2}-\d{2}([T ].*)?$"


def _day(text: str | None, field: str, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise ValidationProblem(
            "Dates are YYYY-MM-DD (or RFC 3339).", errors=[FieldError(field, "is not a date")]
        ) from error


@app.get(
    "/v1/admin/reports/carriers",
    summary="Per carrier: on-time rate against the promised date, transit time, exception, damage, loss rates",
)
def carrier_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE_OR_TIME)] = None,
    to: Annotated[str | None, Query(pattern=DATE_OR_TIME)] = None,
) -> Response[str]:
    require_admin(app)
    today = clock.now().date()
    last = _day(to, "to", today)
    first = _day(from_, "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last or (last - first).days >= MAX_DAYS:
        raise ValidationProblem(
            f"The period runs from 'from' to 'to' (inclusive) and spans at most {MAX_DAYS} days.",
            errors=[FieldError("from", "must be on or before 'to', within a year of it")],
        )
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
