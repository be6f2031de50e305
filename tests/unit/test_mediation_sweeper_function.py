"""The mediation sweeper Lambda: every configured unit's overdue mediations and claims, none else (no Scan)."""

from types import SimpleNamespace

from chalicelib import config
from chalicelib.services import claims_clock, mediation
from functions.mediation_sweeper import handler as sweeper

CONTEXT = SimpleNamespace(function_name="mediation-sweeper", memory_limit_in_mb=512,
                          invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:m", aws_request_id="r-1",
                          get_remaining_time_in_millis=lambda: 60_000)


def test_given_the_configured_units_when_swept_then_each_unit_is_closed_and_the_terminations_counted(monkeypatch):
    units = [unit["code"] for unit in config.load("jurisdictions")["units"]]
    swept = []

    def close_overdue(unit, limit=50):
        swept.append(unit)
        return ["YC1", "YC2"] if unit == units[0] else []

    def record_overdue(unit):
        clocked.append(unit)
        return ["CL1"] if unit == units[-1] else []

    clocked: list[str] = []
    monkeypatch.setattr(mediation, "close_overdue", close_overdue)
    monkeypatch.setattr(claims_clock, "record_overdue", record_overdue)
    assert sweeper.handler({}, CONTEXT) == {"terminated": 2, "claimsOverdue": 1}
    assert swept == units and clocked == units
