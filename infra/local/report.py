"""`make report DATE=YYYY-MM-DD` or `make report MONTH=YYYY-MM`: run the daily or monthly report
function now against the running local stack (`make run`), for every configured unit, as the
schedule does, and print where each file went."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from infra.local.stack import DEFAULT_STATE_DIR, environment


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--date", help="a Beijing day, YYYY-MM-DD")
    chosen.add_argument("--month", help="a month, YYYY-MM")
    args = parser.parse_args(argv)
    # the running stack's endpoints and keys, as `make run` set them (PORT, AWS_PORT, STATE_DIR)
    os.environ.update(
        environment(
            Path(os.environ.get("STATE_DIR", DEFAULT_STATE_DIR)),
            int(os.environ.get("PORT", "8000")),
            int(os.environ.get("AWS_PORT", "4566")),
        )
    )
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "yunchetong")
    from functions.report_daily.handler import handler as daily
    from functions.report_monthly.handler import handler as monthly
    from infra.local.lambdas import LambdaContext

    if args.date:
        ran = daily({"date": args.date}, LambdaContext(function_name="yunchetong-local-report-daily"))
    else:
        ran = monthly({"month": args.month}, LambdaContext(function_name="yunchetong-local-report-monthly"))
    print(json.dumps(ran, ensure_ascii=False))
    from chalicelib.domain.report_period import ReportPeriod
    from chalicelib.settings import get_settings
    from chalicelib.store import reports

    for unit in ran["units"]:
        report = reports.find(unit, ReportPeriod(ran["period"], ran["label"]))
        for stored in report.files if report else ():
            print(f"s3://{get_settings().reports_bucket}/{stored.key}  (version {stored.version})")


if __name__ == "__main__":
    main()
