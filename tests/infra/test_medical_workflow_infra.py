"""The injury direct-pay workflow as deployed (`infra/cdk/medical.py`): its own state machine and
functions, steps that query no index, the API allowed to start its runs and answer its waits, and
an alarm on its failed runs. What every workflow shares is in test_rescue_workflow_infra.py."""

from __future__ import annotations

from infra.cdk.medical import MedicalWorkflow
from infra.workflows import MEDICAL
from tests.infra.cdk_template import Synth, arn, granted, logical_id_of, machine_name, policy_statements, resource_of, resources_of


def test_the_medical_workflow_is_deployed_by_its_own_construct(synth: Synth) -> None:
    deployed = synth.stack.workflows[MEDICAL.name]
    assert isinstance(deployed, MedicalWorkflow)
    assert deployed.state_machine_name == machine_name("medical")
    handlers = sorted(t.handler for t in MEDICAL.functions)
    assert handlers == ["functions.medical.handler.await_milestone", "functions.medical.handler.close_wait"]


def test_the_api_may_start_medical_runs_and_answer_their_waits_on_that_machine_only(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.api.role)
    statements = policy_statements(role)
    machine = arn("states", f"stateMachine:{machine_name('medical')}")
    assert machine in granted(statements, "states:StartExecution")
    assert machine in granted(statements, "states:SendTaskSuccess")


def test_a_failed_medical_run_raises_an_alarm(synth: Synth) -> None:
    deployed = synth.stack.workflows[MEDICAL.name]
    machine_id = logical_id_of(synth, deployed.state_machine)
    alarms = resources_of(synth, "AWS::CloudWatch::Alarm").values()
    failed = [a for a in alarms if a["Properties"].get("MetricName") == "ExecutionsFailed"
              and {"Name": "StateMachineArn", "Value": {"Ref": machine_id}} in a["Properties"].get("Dimensions", [])]
    assert len(failed) == 1
    assert failed[0]["Properties"]["Threshold"] == 1 and failed[0]["Properties"]["AlarmActions"]
