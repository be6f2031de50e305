"""The supervisor's page in Chromium against the real local stack: a claim overdue on the insurer
clock, an insurer whose webhook endpoint does not answer, and the reports section."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from boto3.dynamodb.conditions import Key
from playwright.sync_api import expect

from tests.browser.conftest import Accident, screenshot
from tests.browser.portal import assert_token_never_exposed, desktop, sign_in, table
from tests.factories import wait_for

CHINA = ZoneInfo("Asia/Shanghai")
UNREACHABLE = "http://127.0.0.1:9/claims"  # the discard port: nothing listens, every attempt fails


@pytest.fixture
def picc_unreachable(stack) -> Iterator[None]:
    """PICC's claim system stops answering (its webhook URL in the reference data points nowhere)."""
    insurers = table(stack)
    key = {"pk": "REF#INSURER", "sk": "PICC"}
    working = insurers.get_item(Key=key)["Item"]["attributes"]["webhookUrl"]
    insurers.update_item(Key=key, UpdateExpression="SET #a.webhookUrl = :url",
                         ExpressionAttributeNames={"#a": "attributes"}, ExpressionAttributeValues={":url": UNREACHABLE})
    yield
    insurers.update_item(Key=key, UpdateExpression="SET #a.webhookUrl = :url",
                         ExpressionAttributeNames={"#a": "attributes"}, ExpressionAttributeValues={":url": working})


def _miss_the_deadline(accident: Accident, insurer: str) -> dict[str, Any]:
    """Move the insurer's claim on the case back on the clock: its duty fell due long ago (what
    weeks of an insurer's silence would do)."""
    claims = table(accident.stack)

    def waiting_claim() -> dict[str, Any] | None:
        items = claims.query(KeyConditionExpression=Key("pk").eq(f"CASE#{accident.case_id}") & Key("sk").begins_with("CLAIM#"))["Items"]
        return next((i for i in items if i["insurer_code"] == insurer and i.get("gsi2sk")), None)

    claim: dict[str, Any] = wait_for(waiting_claim, timeout=60, what=f"the {insurer} claim on the clock")
    claims.update_item(Key={"pk": claim["pk"], "sk": claim["sk"]}, UpdateExpression="SET gsi2sk = :sk, #c.due = :due",
                       ExpressionAttributeNames={"#c": "clock"},
                       ExpressionAttributeValues={":sk": f"2026-01-05#{claim['claim_id']}", ":due": "2026-01-05"})
    return claim


def test_given_an_overdue_claim_and_a_failing_insurer_when_the_supervisor_looks_then_both_show(stack, browser, accident, picc_unreachable):
    accident.shoot_everything()
    accident.determine()
    claim = _miss_the_deadline(accident, "PICC")
    supervisor = stack.token("supervisor")

    def picc_failing() -> bool:
        log = accident.call("GET", "/insurer/deliveries?insurerCode=PICC&limit=50", supervisor).json()["deliveries"]
        return any(d["caseId"] == accident.case_id and d["outcome"] == "RETRY" for d in log)

    wait_for(picc_failing, timeout=120, every=1, what="a failed delivery to PICC")

    with desktop(browser) as page:
        session = sign_in(page, stack, "/portal/supervisor", "S0001")
        overdue = page.locator(f"#overdue tr[data-claim={claim['claim_id']}]")
        expect(overdue).to_contain_text(accident.case_id)
        expect(overdue).to_contain_text("中国人民财产保险股份有限公司")
        expect(overdue).to_contain_text("一次性书面告知理赔所需材料")
        expect(overdue).to_contain_text("2026-01-05")

        picc = page.locator("#delivery tr[data-insurer=PICC]")
        expect(picc).to_have_class("alert")
        assert int(picc.locator("[data-failing]").inner_text()) + int(picc.locator("[data-dead]").inner_text()) >= 1
        expect(page.locator("#delivery tbody tr").first).to_have_attribute("data-insurer", "PICC")  # problems first
        paic = page.locator("#delivery tr[data-insurer=PAIC]")
        expect(paic.locator("[data-delivered]")).not_to_have_text("0")
        screenshot(page, "portal-supervisor")

        overdue.get_by_role("link").click()
        page.wait_for_url(f"{stack.url}/portal/cases/{accident.case_id}")
        expect(page.locator("#result .liabilities")).to_contain_text("全部责任")
        assert page.locator("#determine").is_hidden()  # only officers determine
        assert_token_never_exposed(page, session["token"])


def test_given_an_officer_when_opening_the_supervisor_page_then_told_it_is_not_theirs(stack, browser):
    with desktop(browser) as page:
        sign_in(page, stack, "/portal/", "O0001")
        page.goto(f"{stack.url}/portal/supervisor")
        expect(page.get_by_role("alert").filter(has_text="无权访问此页面")).to_be_visible()
        expect(page.get_by_role("link", name="前往我的工作台")).to_have_attribute("href", "/portal/")


def test_given_a_day_report_when_the_supervisor_picks_the_day_then_todays_figures_and_the_reports_files(stack, browser, accident):
    supervisor = stack.token("supervisor")
    live = accident.call("GET", "/portal/reports/live", supervisor).json()
    reported_today = live["figures"]["casesReported"]
    assert reported_today >= 1  # this test's accident
    day = datetime.now(CHINA).date().isoformat()
    made = accident.call("POST", "/admin/reports", supervisor, {"period": "DAY", "date": day})
    assert made.status_code in {200, 201}, made.text
    with desktop(browser) as page:
        sign_in(page, stack, "/portal/supervisor", "S0001")
        expect(page.locator("#live [data-figure=casesReported] .value")).to_have_text(str(reported_today))
        page.get_by_label("日期").fill(day)
        page.get_by_role("button", name="查看").click()
        files = page.locator("#report .files a")
        expect(files).to_have_count(len(made.json()["files"]))
        assert {files.nth(i).inner_text() for i in range(files.count())} == {f["name"] for f in made.json()["files"]}
        screenshot(page, "portal-supervisor-reports")

        # a period without a report: said so, and the last report's figures and files are gone
        page.get_by_label("日期").fill("2020-01-01")
        page.get_by_role("button", name="查看").click()
        expect(page.locator("#report-error")).to_have_text("该时段的报表尚未生成。")
        expect(page.locator("#report .files a")).to_have_count(0)
        expect(page.locator("#report")).to_be_empty()

        # the delivery table's headers sit over their columns: numbers right, text left
        expect(page.locator("#delivery tbody tr").first).to_be_visible()
        aligned = page.evaluate("""() => {
            const align = (cell) => getComputedStyle(cell).textAlign;
            const heads = [...document.querySelectorAll('#delivery thead th')];
            const cells = [...document.querySelector('#delivery tbody tr').children];
            return heads.map((head, i) => [head.textContent, align(head), align(cells[i])]);
        }""")
        assert all(head == cell for _, head, cell in aligned), aligned
        assert [a for _, a, _ in aligned] == ["left", "right", "right", "right", "left", "left"], aligned
        screenshot(page, "portal-supervisor-no-report")
