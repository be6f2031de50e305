"""Given a fund application, when its reviewer does not answer, then the real fund review run
(statemachines/fund.asl.json on moto's engine) reminds, then escalates; an answer ends it."""

from __future__ import annotations

import pytest

from chalicelib.services import medical_payers
from tests.factories import staff_token, wait_for
from tests.payers import billed, determined, funds

# Short waits: the reminder after 3 s, the escalation 3 s later, the supervisor's wait 3 s.
TIMINGS = {"FUND_REMINDER_SECONDS": "3", "FUND_ESCALATION_SECONDS": "3", "FUND_SUPERVISOR_SECONDS": "3"}


@pytest.fixture
def fund_flow(flow, monkeypatch):
    from chalicelib.integrations.aws import client
    from chalicelib.settings import reset_settings
    from infra.local import resources

    machine = resources.ensure_state_machines()["fund"]
    monkeypatch.setenv("FUND_STATE_MACHINE_ARN", machine)
    for key, value in TIMINGS.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    yield flow, machine
    sfn = client("stepfunctions")
    # Every run ends within its short waits; wait for them so none outlives the test.
    wait_for(lambda: not sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"], 30,
             what="fund runs to end")


def status_of(machine: str, name: str) -> str:
    from chalicelib.integrations.aws import client

    arn = machine.replace(":stateMachine:", ":execution:") + f":{name}"
    return str(client("stepfunctions").describe_execution(executionArn=arn)["status"])


def opened(flow) -> tuple[str, str]:
    created = determined(flow.api)
    medical_payers.bills_posted(created["caseId"], [billed(created, 2_000_000)])
    (application,) = funds(created["caseId"])
    return created["caseId"], application.fund_application_id


def test_given_a_reviewer_who_never_answers_then_reminded_before_the_deadline_then_escalated_after_it(fund_flow):
    flow, machine = fund_flow
    case_id, fund_id = opened(flow)

    reminded = wait_for(lambda: (f := funds(case_id)[0]).reminded_at and f, 20, what="the reminder")
    assert reminded.escalated_at is None and reminded.status == "PENDING"
    escalated = wait_for(lambda: (f := funds(case_id)[0]).escalated_at and f, 20, what="the escalation")
    assert escalated.escalated_at > escalated.reminded_at
    listed = flow.api.call("GET", "/fund/applications?escalated=true", staff_token("fund")).body["applications"]
    assert [a["fundApplicationId"] for a in listed] == [fund_id]

    assert wait_for(lambda: (s := status_of(machine, f"fund-{fund_id}")) != "RUNNING" and s, 20, what="the run") == "FAILED"
    from chalicelib.store import audit

    recorded = [e.action for e in audit.entries(case_id)]
    assert recorded.index("FUND_REVIEW_REMINDED") < recorded.index("FUND_REVIEW_ESCALATED")


def test_given_the_reviewer_approves_then_the_advance_is_recorded_and_the_run_ends(fund_flow, monkeypatch):
    from chalicelib.settings import reset_settings

    flow, machine = fund_flow
    monkeypatch.setenv("FUND_REMINDER_SECONDS", "60")  # the answer comes well before any reminder
    reset_settings()
    case_id, fund_id = opened(flow)
    wait_for(lambda: funds(case_id)[0].task_token, 20, what="the run to wait for the reviewer")

    approved = flow.api.call("POST", f"/fund/applications/{fund_id}/approve", staff_token("fund"), {})
    assert approved.status == 200, approved.body
    assert approved.body["advanced"] == 200_000 and sum(approved.body["toRecover"].values()) == 200_000
    assert wait_for(lambda: (s := status_of(machine, f"fund-{fund_id}")) != "RUNNING" and s, 20, what="the run") == "SUCCEEDED"
    application = funds(case_id)[0]
    assert application.reminded_at is None and application.escalated_at is None
    assert medical_payers.amounts(case_id)["MAAPP0001"].fund_advanced == 200_000


def test_given_an_overdue_review_then_the_units_supervisors_see_the_escalation_and_the_timeline_says_so(fund_flow):
    flow, _ = fund_flow
    case_id, fund_id = opened(flow)
    supervisor = staff_token("supervisor")

    def escalations(token: str) -> list[str]:
        reply = flow.api.call("GET", "/fund/escalations", token)
        assert reply.status == 200, reply.body
        return [a["fundApplicationId"] for a in reply.body["applications"]]

    assert escalations(supervisor) == []  # not overdue yet
    wait_for(lambda: funds(case_id)[0].escalated_at, 20, what="the escalation")
    assert escalations(supervisor) == [fund_id]
    assert escalations(staff_token("supervisor", jurisdiction="320100")) == []  # another unit's supervisors
    assert flow.api.call("GET", "/fund/escalations", staff_token("officer")).status == 403

    timeline = flow.api.call("GET", f"/cases/{case_id}/timeline", supervisor).body["entries"]
    said = {e["action"]: e["text"] for e in timeline}
    assert said["FUND_REVIEW_REMINDED"] == "救助基金审核即将到期，已提醒审核人员"
    assert said["FUND_REVIEW_ESCALATED"] == "救助基金逾期未审核，已提交上级主管审核"

    answered = flow.api.call("POST", f"/fund/applications/{fund_id}/reject", staff_token("fund"), {"reason": "材料不全"})
    assert answered.status == 200, answered.body
    assert escalations(supervisor) == []  # answered: no longer waiting on anyone
