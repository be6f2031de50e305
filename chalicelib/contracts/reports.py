"""Report contracts (issue 15): which period to run or read, and a report as the portal gets it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chalicelib.contracts.common import Contract, Reply
from chalicelib.domain.report_figures import Figures


class PeriodChoice(Contract):
    """`{"period": "DAY", "date": "YYYY-MM-DD"}` or `{"period": "MONTH", "month": "YYYY-MM"}`; the
    date, the month and their combination are checked by `domain.report_period.requested`."""

    period: Literal["DAY", "MONTH"]
    date: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD, Beijing calendar day (DAY)")
    month: str | None = Field(default=None, max_length=7, description="YYYY-MM (MONTH)")


class RunReport(PeriodChoice):
    pass


class ReportQuery(PeriodChoice):
    pass


class ReportFile(Reply):
    name: str
    content_type: str
    url: str = Field(description="a short-lived presigned download link (DOWNLOAD_URL_SECONDS)")


class ReportView(Reply):
    period: Literal["DAY", "MONTH"]
    date: str | None = Field(default=None, description="the day of a DAY report (absent for a month)")
    month: str | None = Field(default=None, description="the month of a MONTH report (absent for a day)")
    jurisdiction: str
    generated_at: str
    figures: Figures
    files: list[ReportFile]

    def wire(self) -> dict[str, Any]:
        """The reply: `date` for a day, `month` for a month, never the other as null."""
        body = super().wire()
        body.pop("month" if self.period == "DAY" else "date")
        return body


class LiveFigures(Reply):
    jurisdiction: str
    date: str = Field(description="today, Beijing calendar day")
    as_of: str
    figures: Figures
