"""The report rebuild Lambda: the period it is given, for one unit or every configured unit."""

from datetime import date
from types import SimpleNamespace

from chalicelib import config
from chalicelib.services import report_rebuild
from functions.report_rebuild import handler as rebuild_function

CONTEXT = SimpleNamespace(function_name="report-rebuild", memory_limit_in_mb=512,
                          invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:r", aws_request_id="r-1",
                          get_remaining_time_in_millis=lambda: 60_000)


def _recording(monkeypatch) -> list:
    asked = []

    def rebuild(unit, first, last):
        asked.append((unit, first, last))
        return report_rebuild.Rebuilt(unit, first, last, cases_read=3, items_written=5)

    monkeypatch.setattr(report_rebuild, "rebuild", rebuild)
    return asked


def test_given_a_unit_and_period_when_invoked_then_that_unit_is_rebuilt_for_those_days(monkeypatch):
    asked = _recording(monkeypatch)
    summary = rebuild_function.handler({"from": "2026-10-31", "to": "2026-11-01", "unit": "320900"}, CONTEXT)
    assert asked == [("320900", date(2026, 10, 31), date(2026, 11, 1))]
    assert summary == {"from": "2026-10-31", "to": "2026-11-01", "units": ["320900"], "casesRead": 3, "itemsWritten": 5}


def test_given_no_unit_when_invoked_then_every_configured_unit_is_rebuilt(monkeypatch):
    asked = _recording(monkeypatch)
    rebuild_function.handler({"from": "2026-11-01"}, CONTEXT)
    assert [unit for unit, _, _ in asked] == [unit["code"] for unit in config.load("jurisdictions")["units"]]
    assert {(first, last) for _, first, last in asked} == {(date(2026, 11, 1), date(2026, 11, 1))}
