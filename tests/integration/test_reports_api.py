"""Reports through the API (issue 15): POST /admin/reports runs one now, GET /portal/reports reads it
back with download links, GET /portal/reports/live gives today's figures; supervisors and officers of
their own unit only; bad input names its field. Figures are seeded as items in the interface layout."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.report_figures import distribution
from tests.factories import staff_token
from tests.report_items import seed_day

UNIT = "320900"
DAY = date(2026, 10, 31)
LETTER = [2.0, 3.0, 4.0, 4.5, 9.0]


@pytest.fixture
def supervisor():
    return staff_token("supervisor")


@pytest.fixture
def seeded(aws):
    seed_day(UNIT, DAY, {"casesReported": 12, "casesRemote": 10, "lettersIssued": 9, "insurerPaidFen": 250_000,
                         "fundAdvancedFen": 80_000}, {"minutesToLetter": LETTER, "minutesToAccept": [1.0, 3.0],
                                                     "minutesToArrive": [15.0, 21.0]})
    seed_day(UNIT, DAY + timedelta(days=1), {"casesReported": 99})  # 1 November, Beijing: another day
    seed_day(UNIT, DAY - timedelta(days=2), {"casesReported": 4})


def _download(url: str) -> bytes:
    """Follow a presigned link through the same (moto) S3 the app wrote to."""
    from urllib.parse import parse_qs, urlparse

    from chalicelib.integrations.aws import client

    parsed = urlparse(url)
    bucket, key = parsed.path.lstrip("/").split("/", 1)
    version = parse_qs(parsed.query).get("versionId", [None])[0]
    extra = {"VersionId": version} if version else {}
    return client("s3").get_object(Bucket=bucket, Key=key, **extra)["Body"].read()


def test_given_a_day_when_a_supervisor_runs_its_report_then_it_carries_the_figures_and_three_files(api, seeded, supervisor):
    reply = api.call("POST", "/admin/reports", supervisor, {"period": "DAY", "date": DAY.isoformat()})

    assert reply.status == 200, reply.body
    body = reply.body
    assert set(body) == {"period", "date", "jurisdiction", "generatedAt", "figures", "files"}
    assert (body["period"], body["date"], body["jurisdiction"]) == ("DAY", "2026-10-31", UNIT)
    assert body["figures"]["casesReported"] == 12 and body["figures"]["fundAdvancedFen"] == 80_000
    assert body["figures"]["minutesToLetter"] == distribution(LETTER).model_dump()
    assert [f["name"] for f in body["files"]] == ["report.json", "report.csv", "report.pdf"]
    files = {f["name"]: f for f in body["files"]}
    assert files["report.pdf"]["contentType"] == "application/pdf"
    pdf = _download(files["report.pdf"]["url"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "统计日报" in text and "人民币 2,500.00 元" in text
    assert _download(files["report.csv"]["url"]).startswith(b"\xef\xbb\xbf")


def test_given_a_report_was_run_when_read_then_the_same_report_comes_back_with_fresh_links(api, seeded, supervisor, officer):
    ran = api.call("POST", "/admin/reports", supervisor, {"period": "DAY", "date": DAY.isoformat()}).body

    read = api.call("GET", f"/portal/reports?period=DAY&date={DAY.isoformat()}", officer)

    assert read.status == 200, read.body
    assert read.body["figures"] == ran["figures"] and read.body["generatedAt"] == ran["generatedAt"]
    assert all("X-Amz-Expires=" in f["url"] for f in read.body["files"])


def test_given_a_report_run_twice_then_it_is_one_report_whose_previous_files_are_kept_as_versions(api, seeded, supervisor):
    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings

    first = api.call("POST", "/admin/reports", supervisor, {"period": "DAY", "date": DAY.isoformat()}).body
    seed_day(UNIT, DAY, {"casesReported": 1}, shards=1)  # a late change: one more case on shard 00
    second = api.call("POST", "/admin/reports", supervisor, {"period": "DAY", "date": DAY.isoformat()}).body

    read = api.call("GET", f"/portal/reports?period=DAY&date={DAY.isoformat()}", supervisor).body
    assert read["generatedAt"] == second["generatedAt"] and read["figures"]["casesReported"] == second["figures"]["casesReported"]
    assert first["files"][2]["url"] != second["files"][2]["url"]
    listed = client("s3").list_object_versions(Bucket=get_settings().reports_bucket, Prefix=f"reports/{UNIT}/")
    keys = sorted({v["Key"] for v in listed["Versions"]})
    assert keys == [f"reports/{UNIT}/DAY-2026-10-31/report.{ext}" for ext in ("csv", "json", "pdf")]  # one report
    assert len(listed["Versions"]) == 6  # each file: the current version and the previous one


def test_given_a_month_when_run_then_its_figures_are_the_sum_of_its_beijing_days(api, seeded, supervisor):
    reply = api.call("POST", "/admin/reports", supervisor, {"period": "MONTH", "month": "2026-10"})

    assert reply.status == 200, reply.body
    assert set(reply.body) == {"period", "month", "jurisdiction", "generatedAt", "figures", "files"}
    assert reply.body["figures"]["casesReported"] == 16  # 31 Oct and 29 Oct, not 1 Nov


def test_given_a_period_never_run_when_read_then_404_says_so(api, aws, supervisor):
    reply = api.call("GET", "/portal/reports?period=MONTH&month=2026-09", supervisor)

    assert reply.status == 404
    assert reply.body["error"]["field"] == "month" and "POST /admin/reports" in reply.body["error"]["message"]


def test_live_gives_todays_figures_so_far(api, aws, officer):
    today = datetime.now(CHINA).date()
    seed_day(UNIT, today, {"casesReported": 3}, {"minutesEvidence": [1.0]})

    reply = api.call("GET", "/portal/reports/live", officer)

    assert reply.status == 200, reply.body
    assert reply.body["date"] == today.isoformat() and reply.body["jurisdiction"] == UNIT
    assert reply.body["figures"]["casesReported"] == 3 and reply.body["figures"]["minutesEvidence"]["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "DAY", "date": "2026-02-30"}, "date"),
        ({"period": "DAY", "date": "yesterday"}, "date"),
        ({"period": "DAY", "date": "20261031"}, "date"),
        ({"period": "MONTH", "month": "2026-13"}, "month"),
        ({"period": "DAY", "month": "2026-10"}, "month"),
        ({"period": "MONTH", "date": "2026-10-01"}, "date"),
        ({"period": "DAY"}, "date"),
        ({"period": "WEEK", "date": "2026-10-01"}, "period"),
        ({"period": "DAY", "date": (datetime.now(CHINA).date() + timedelta(days=1)).isoformat()}, "date"),
        ({"period": "MONTH", "month": (datetime.now(CHINA).date().replace(day=28) + timedelta(days=7)).strftime("%Y-%m")}, "month"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, aws, supervisor, body, field):
    ran = api.call("POST", "/admin/reports", supervisor, body)
    query = "&".join(f"{k}={v}" for k, v in body.items())
    read = api.call("GET", f"/portal/reports?{query}", supervisor)

    for reply in (ran, read):
        assert reply.status == 400, reply.body
        assert reply.body["error"]["field"] == field


@pytest.mark.parametrize("role", ["dispatcher", "insurer", "hospital", "fund"])
def test_other_roles_may_not_run_or_read_reports(api, aws, role):
    token = staff_token(role, org="PICC" if role == "insurer" else "YCH01" if role == "hospital" else None)

    assert api.call("POST", "/admin/reports", token, {"period": "DAY", "date": DAY.isoformat()}).status == 403
    assert api.call("GET", f"/portal/reports?period=DAY&date={DAY.isoformat()}", token).status == 403
    assert api.call("GET", "/portal/reports/live", token).status == 403


def test_a_unit_reads_only_its_own_reports(api, seeded, supervisor):
    api.call("POST", "/admin/reports", supervisor, {"period": "DAY", "date": DAY.isoformat()})
    elsewhere = staff_token("supervisor", jurisdiction="320200")

    assert api.call("GET", f"/portal/reports?period=DAY&date={DAY.isoformat()}", elsewhere).status == 404
    live = api.call("GET", "/portal/reports/live", elsewhere)
    assert live.body["jurisdiction"] == "320200" and live.body["figures"]["casesReported"] == 0


def test_the_schedules_publish_one_report_per_configured_unit(aws):
    from functions.report_daily.handler import handler as daily
    from functions.report_monthly.handler import handler as monthly
    from infra.local.lambdas import LambdaContext

    seed_day(UNIT, DAY, {"casesReported": 5})
    context = LambdaContext(function_name="yunchetong-test-report-daily")
    # 00:10 on 1 November in Beijing is 16:10 UTC on 31 October: the daily run reports 31 October
    ran = daily({"time": datetime(2026, 10, 31, 16, 10, tzinfo=UTC).isoformat().replace("+00:00", "Z")}, context)
    assert ran == {"period": "DAY", "label": "2026-10-31", "units": [UNIT]}
    ran = monthly({"time": "2026-10-31T16:30:00Z"}, context)
    assert ran == {"period": "MONTH", "label": "2026-10", "units": [UNIT]}
    from chalicelib.domain.report_period import ReportPeriod
    from chalicelib.store import reports

    assert reports.find(UNIT, ReportPeriod("DAY", "2026-10-31")).figures.casesReported == 5
    assert reports.find(UNIT, ReportPeriod("MONTH", "2026-10")).figures.casesReported == 5
