"""`make report-rebuild FROM=YYYY-MM-DD TO=YYYY-MM-DD [UNIT=320900]`: the rebuild function against the
running local stack (its AWS on AWS_PORT, 4566 by default), as AWS runs functions/report_rebuild."""

from __future__ import annotations

import argparse
import json
import os

from infra.local.stack import DEFAULT_STATE_DIR, environment


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Rebuild report figures from the cases' own records")
    parser.add_argument("first", help="first Beijing day, YYYY-MM-DD")
    parser.add_argument("last", nargs="?", help="last Beijing day (default: the first)")
    parser.add_argument("--unit", default="", help="police unit code (default: every configured unit)")
    args = parser.parse_args(argv)
    os.environ.update(environment(DEFAULT_STATE_DIR, int(os.environ.get("PORT", "8000")), int(os.environ.get("AWS_PORT", "4566"))))
    from functions.report_rebuild.handler import handler
    from infra.local.lambdas import LambdaContext

    context = LambdaContext(function_name="yunchetong-local-report-rebuild")
    summary: dict = handler({"from": args.first, "to": args.last or args.first, "unit": args.unit}, context)
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
