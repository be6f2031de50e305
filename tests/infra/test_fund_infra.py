"""The road rescue fund's review run as deployed (`infra/cdk/fund.py`): its machine, its functions
under a role narrower than the rescue's (the table, no index), and the alarm on its failed runs."""

from __future__ import annotations

import json

from infra.cdk.fund import FundWorkflow
from infra.workflows import FUND
from tests.infra.cdk_template import (
    Synth,
    arn,
    as_list,
    assert_key_via_dynamodb_and_star_only_for_xray,
    assert_updates_only_report_counters,
    granted,
    logical_id_of,
    machine_name,
    one_resource,
    policy_statements,
    resource_of,
    resources_of,
    state_machine_resource,
    task_functions,
)
from tests.infra.test_rescue_workflow_infra import WORKFLOW_FUNCTION_ACTIONS


def test_the_fund_review_is_deployed_by_its_own_construct_with_a_function_per_step(synth: Synth) -> None:
    deployed = synth.stack.workflows[FUND.name]
    assert isinstance(deployed, FundWorkflow)
    _, machine = state_machine_resource(synth, deployed)
    assert machine["Properties"]["StateMachineName"] == machine_name("fund")
    assert machine["Properties"]["StateMachineType"] == "STANDARD"
    handlers = sorted(f["Handler"] for f in task_functions(synth, deployed).values())
    assert handlers == sorted(task.handler for task in FUND.functions)


def test_the_fund_steps_role_reads_and_writes_the_table_only_and_answers_only_its_own_runs(synth: Synth) -> None:
    deployed = synth.stack.workflows[FUND.name]
    _, role = resource_of(synth, deployed.function_role)
    statements = policy_statements(role)
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert actions == WORKFLOW_FUNCTION_ACTIONS  # no Scan, DeleteItem, S3, secrets, SMS
    assert_updates_only_report_counters(synth, statements)
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"):
        assert granted(statements, action) == [table_arn], action  # no index at all
    assert granted(statements, "states:SendTaskSuccess") == [arn("states", f"stateMachine:{machine_name('fund')}")]
    assert_key_via_dynamodb_and_star_only_for_xray(synth, statements)
    assert granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [logical_id_of(synth, deployed.function_logs), "Arn"]}]


def test_the_api_may_start_the_fund_runs_and_answer_them(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.api.role)
    statements = policy_statements(role)
    machine = arn("states", f"stateMachine:{machine_name('fund')}")
    assert machine in granted(statements, "states:StartExecution")
    assert machine in granted(statements, "states:SendTaskSuccess")


def test_a_failed_fund_run_raises_an_alarm(synth: Synth) -> None:
    machine_id = logical_id_of(synth, synth.stack.workflows[FUND.name].state_machine)
    alarms = [a for a in resources_of(synth, "AWS::CloudWatch::Alarm").values()
              if a["Properties"].get("Namespace") == "AWS/States" and a["Properties"].get("MetricName") == "ExecutionsFailed"
              and machine_id in json.dumps(a["Properties"].get("Dimensions"))]
    assert len(alarms) == 1
