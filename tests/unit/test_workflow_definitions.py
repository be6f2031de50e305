"""Every state machine in infra/workflows.py, checked as a file: the shape moto's engine and
Step Functions both accept, names that resolve, errors that the code really raises."""

import ast
import importlib
import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib import errors
from chalicelib.contracts.rescue import StepConfig, StepInput
from infra.workflows import PARTITION, RESCUE, ROOT, WORKFLOWS, Workflow

ANY_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")  # broader than the code's own pattern, so a malformed name shows up
TASK_TOKEN = "$$.Task.Token"
WAIT_FOR_TOKEN = ".waitForTaskToken"
TERMINAL_TYPES = {"Succeed", "Fail"}
FLOW_TYPES = {"Task", "Pass", "Wait", "Parallel", "Map"}
STATE_TYPES = FLOW_TYPES | TERMINAL_TYPES | {"Choice"}
# The predefined error names of the Amazon States Language and of the Lambda service integration.
STATES_ERRORS = {
    "States.ALL",
    "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.Http.Socket",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.QueryEvaluationError",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.TaskFailed",
    "States.Timeout",
    "States.BranchFailed",
}
LAMBDA_ERROR = re.compile(r"^Lambda\.[A-Z][A-Za-z]+$")
# JSONata or variables: moto's engine runs neither, and the definitions stay JSONPath only.
FORBIDDEN_STATE_FIELDS = {"QueryLanguage", "Assign", "Arguments", "Output"}
DOMAIN_ERRORS = {
    name
    for name, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.DomainError) and cls is not errors.DomainError and cls.__module__ == errors.__name__
}

ids = [w.name for w in WORKFLOWS]
each_workflow = pytest.mark.parametrize("workflow", WORKFLOWS, ids=ids)


def _definition(workflow: Workflow) -> dict[str, Any]:
    return json.loads(workflow.text())


def _machines(machine: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """The machine and every nested one (Parallel branches, Map processors), each with a label."""
    yield where or "top", machine
    for name, state in machine["States"].items():
        for n, branch in enumerate(state.get("Branches", [])):
            yield from _machines(branch, f"{where}{name}.Branches[{n}]/")
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from _machines(state[key], f"{where}{name}.{key}/")


def _states(workflow: Workflow) -> Iterator[tuple[str, dict[str, Any]]]:
    for _, machine in _machines(_definition(workflow)):
        yield from machine["States"].items()


def _targets(state: dict[str, Any]) -> list[str]:
    """Every state name this state may go to next."""
    targets = [state["Next"]] if "Next" in state else []
    targets += [choice["Next"] for choice in state.get("Choices", [])]
    targets += [state["Default"]] if "Default" in state else []
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return targets


def _error_names(workflow: Workflow) -> Iterator[tuple[str, str]]:
    for name, state in _states(workflow):
        for rule in state.get("Retry", []) + state.get("Catch", []):
            for error in rule["ErrorEquals"]:
                yield name, error


def _token_tasks(workflow: Workflow) -> list[tuple[str, dict[str, Any]]]:
    return [(n, s) for n, s in _states(workflow) if s["Type"] == "Task" and s["Resource"].endswith(WAIT_FOR_TOKEN)]


def _task_failure_errors() -> set[str]:
    """Error names the application sends with `workflows.fail(token, "<Error>", ...)`, read from the source."""
    found = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fail":
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id == "workflows":
                    error = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "error")
                    assert isinstance(error, ast.Constant), f"{path}:{node.lineno}: the error name must be a literal"
                    found.add(error.value)
    return found


# --- the registry --------------------------------------------------------------------------------


def test_given_the_registry_when_read_then_it_lists_the_rescue_workflow_with_unique_names():
    assert RESCUE in WORKFLOWS
    assert len({w.name for w in WORKFLOWS}) == len(WORKFLOWS)
    assert all(w.definition.is_file() and w.definition.parent == ROOT / "statemachines" for w in WORKFLOWS)


@each_workflow
def test_given_a_workflow_when_its_functions_are_listed_then_placeholders_and_names_are_unique(workflow):
    placeholders = [fn.placeholder for fn in workflow.functions]
    names = [fn.name for fn in workflow.functions]
    assert len(set(placeholders)) == len(placeholders)
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9]+Arn", p) for p in placeholders)


def test_given_every_workflow_when_function_names_are_compared_then_no_two_workflows_share_a_function():
    names = [fn.name for w in WORKFLOWS for fn in w.functions]
    assert len(set(names)) == len(names)


# --- structure ---------------------------------------------------------------------------------


@each_workflow
def test_given_a_definition_file_when_parsed_then_it_is_a_json_object_with_states(workflow):
    definition = _definition(workflow)
    assert isinstance(definition, dict)
    assert isinstance(definition["States"], dict) and definition["States"]


@each_workflow
def test_given_a_definition_when_read_then_start_at_names_a_state_in_every_machine(workflow):
    for where, machine in _machines(_definition(workflow)):
        assert machine["StartAt"] in machine["States"], where


@each_workflow
def test_given_a_definition_when_read_then_every_state_has_a_known_type(workflow):
    for name, state in _states(workflow):
        assert state.get("Type") in STATE_TYPES, name


@each_workflow
def test_given_a_definition_when_read_then_every_next_default_choice_and_catch_names_an_existing_state(workflow):
    for where, machine in _machines(_definition(workflow)):
        for name, state in machine["States"].items():
            for target in _targets(state):
                assert target in machine["States"], f"{where}: {name} goes to missing state {target!r}"


@each_workflow
def test_given_a_definition_when_walked_from_start_at_then_every_state_is_reached(workflow):
    for where, machine in _machines(_definition(workflow)):
        reached, todo = set(), [machine["StartAt"]]
        while todo:
            name = todo.pop()
            if name not in reached:
                reached.add(name)
                todo += _targets(machine["States"][name])
        assert set(machine["States"]) - reached == set(), where


@each_workflow
def test_given_a_definition_when_read_then_every_flow_state_has_next_or_end_and_only_one(workflow):
    for name, state in _states(workflow):
        if state["Type"] in FLOW_TYPES:
            assert ("Next" in state) != (state.get("End") is True), f"{name} needs exactly one of Next and End: true"


@each_workflow
def test_given_a_definition_when_read_then_every_choice_has_rules_each_with_a_next_and_no_end(workflow):
    choices = [(n, s) for n, s in _states(workflow) if s["Type"] == "Choice"]
    for name, state in choices:
        assert state.get("Choices"), name
        assert all("Next" in rule for rule in state["Choices"]), name
        assert "Next" not in state and "End" not in state, name


@each_workflow
def test_given_a_definition_when_read_then_succeed_and_fail_states_are_terminal(workflow):
    terminal = [(n, s) for n, s in _states(workflow) if s["Type"] in TERMINAL_TYPES]
    assert terminal, "a workflow with no terminal state never ends"
    for name, state in terminal:
        assert not {"Next", "End", "Catch", "Retry"} & set(state), name


@each_workflow
def test_given_a_definition_when_read_then_it_uses_jsonpath_only(workflow):
    definition = _definition(workflow)
    for where, machine in _machines(definition):
        assert machine.get("QueryLanguage", "JSONPath") == "JSONPath", where
        for name, state in machine["States"].items():
            assert not FORBIDDEN_STATE_FIELDS & set(state), f"{where}: {name}"
            for rule in state.get("Catch", []) + state.get("Choices", []):
                assert "Assign" not in rule and "Output" not in rule and "Condition" not in rule, f"{where}: {name}"
    assert "{%" not in workflow.text(), "a JSONata expression"


# --- errors --------------------------------------------------------------------------------------


def test_given_the_errors_module_when_read_then_the_domain_error_names_include_the_ones_the_workflow_needs():
    assert {"NoTruckAvailable", "OrderClosed", "OfferDeclined", "ConcurrentUpdate"} <= DOMAIN_ERRORS
    assert all(getattr(errors, name).code == name for name in DOMAIN_ERRORS)


@each_workflow
def test_given_a_definition_when_its_retry_and_catch_errors_are_read_then_each_is_predefined_or_a_domain_error(workflow):
    names = list(_error_names(workflow))
    assert names
    for state, error in names:
        assert error in STATES_ERRORS or LAMBDA_ERROR.match(error) or error in DOMAIN_ERRORS, f"{state}: unknown error {error!r}"


@each_workflow
def test_given_a_definition_when_read_then_states_all_stands_alone_in_the_last_rule(workflow):
    for name, state in _states(workflow):
        for key in ("Retry", "Catch"):
            rules = state.get(key, [])
            for n, rule in enumerate(rules):
                assert rule["ErrorEquals"], f"{name}.{key}[{n}] matches nothing"
                if "States.ALL" in rule["ErrorEquals"]:
                    assert rule["ErrorEquals"] == ["States.ALL"], f"{name}.{key}[{n}]"
                    assert n == len(rules) - 1, f"{name}.{key}: States.ALL must come last"


def test_given_the_application_source_when_read_then_it_sends_task_failures_by_name():
    assert "OfferDeclined" in _task_failure_errors()


def test_given_every_task_failure_the_code_sends_when_the_workflows_are_read_then_a_waiting_task_catches_it():
    caught = {
        error
        for workflow in WORKFLOWS
        for _, state in _token_tasks(workflow)
        for catcher in state.get("Catch", [])
        for error in catcher["ErrorEquals"]
        if error != "States.ALL"
    }
    sent = _task_failure_errors()
    assert sent <= caught, f"sent but only caught by States.ALL, if at all: {sorted(sent - caught)}"
    assert sent <= DOMAIN_ERRORS


# --- placeholders and rendering ------------------------------------------------------------------


@each_workflow
def test_given_a_definition_when_its_placeholders_are_read_then_they_are_exactly_the_workflows_functions(workflow):
    in_file = set(ANY_PLACEHOLDER.findall(workflow.text())) - {PARTITION}
    declared = {fn.placeholder for fn in workflow.functions}
    assert in_file - declared == set(), "used in the file but no function declares them"
    assert declared - in_file == set(), "declared but never used"
    assert workflow.placeholders() == in_file


@each_workflow
def test_given_a_definition_when_read_then_every_lambda_task_calls_a_placeholder_function(workflow):
    declared = {fn.placeholder for fn in workflow.functions}
    tasks = [(n, s) for n, s in _states(workflow) if s["Type"] == "Task"]
    assert tasks
    for name, state in tasks:
        assert state["Resource"].startswith("arn:${Partition}:states:::lambda:invoke"), name
        match = re.fullmatch(r"\$\{(\w+)\}", state["Parameters"]["FunctionName"])
        assert match and match.group(1) in declared, name


def _fake_arns(workflow: Workflow) -> dict[str, str]:
    return {fn.placeholder: f"arn:aws:lambda:ap-east-1:123456789012:function:yunchetong-test-{fn.name}" for fn in workflow.functions}


@each_workflow
def test_given_an_arn_for_every_function_when_rendered_then_no_placeholder_is_left_and_each_task_calls_its_arn(workflow):
    arns = _fake_arns(workflow)
    rendered = workflow.render(arns)
    assert "${" not in rendered
    definition = json.loads(rendered)
    used = {
        state["Parameters"]["FunctionName"]
        for _, machine in _machines(definition)
        for state in machine["States"].values()
        if state["Type"] == "Task"
    }
    assert used == set(arns.values())
    # Only the placeholders changed (the partition to the default, aws).
    assert ANY_PLACEHOLDER.sub("X", workflow.text()) == re.sub("|".join(map(re.escape, arns.values())), "X", rendered).replace(
        "arn:aws:states:", "arn:X:states:"
    )


@each_workflow
def test_given_the_china_partition_when_rendered_then_every_service_integration_is_in_it(workflow):
    rendered = json.loads(workflow.render(_fake_arns(workflow), partition="aws-cn"))
    resources = [s["Resource"] for _, machine in _machines(rendered) for s in machine["States"].values() if s["Type"] == "Task"]
    assert resources and all(r.startswith("arn:aws-cn:states:::") for r in resources)


@each_workflow
def test_given_extra_arns_when_rendered_then_they_are_ignored(workflow):
    rendered = workflow.render({**_fake_arns(workflow), "UnusedArn": "arn:aws:lambda:ap-east-1:123456789012:function:unused"})
    assert "unused" not in rendered


@each_workflow
def test_given_an_arn_missing_when_rendered_then_it_is_a_key_error_naming_the_placeholder(workflow):
    arns = _fake_arns(workflow)
    missing = workflow.functions[-1].placeholder
    del arns[missing]
    with pytest.raises(KeyError, match=missing):
        workflow.render(arns)


@each_workflow
def test_given_a_workflow_when_its_handlers_are_imported_then_each_is_a_callable_named_for_its_step(workflow):
    for fn in workflow.functions:
        module, _, attribute = fn.handler.rpartition(".")
        assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file(), fn.handler
        handler = getattr(importlib.import_module(module), attribute)
        assert callable(handler), fn.handler
        assert handler.__name__ == attribute, fn.handler


# --- waits ---------------------------------------------------------------------------------------


@each_workflow
def test_given_a_task_that_waits_for_a_token_when_read_then_it_passes_the_task_token_in_its_payload_and_has_a_timeout(workflow):
    for name, state in _token_tasks(workflow):
        payload = state["Parameters"]["Payload"]
        assert payload.get("taskToken.$") == TASK_TOKEN, name
        assert "TimeoutSecondsPath" in state or "TimeoutSeconds" in state, f"{name} could wait forever"


def test_given_the_rescue_workflow_when_read_then_it_waits_for_a_token_in_offer_arrival_and_completion():
    assert {n for n, _ in _token_tasks(RESCUE)} == {"OfferNext", "AwaitArrival", "AwaitCompletion"}


@each_workflow
def test_given_a_definition_when_read_then_every_wait_is_taken_from_the_input_so_tests_can_shorten_it(workflow):
    for name, state in _states(workflow):
        assert "TimeoutSeconds" not in state and "HeartbeatSeconds" not in state, f"{name} has a fixed wait"
        if state["Type"] == "Wait":
            assert set(state) & {"SecondsPath", "TimestampPath"}, f"{name} has a fixed wait"
            assert not set(state) & {"Seconds", "Timestamp"}, name
    for name, state in _token_tasks(workflow):
        assert state["TimeoutSecondsPath"].startswith("$."), name


# --- the rescue payloads match the step contract -------------------------------------------------


def _aliases(model) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def test_given_the_rescue_workflow_when_its_payloads_are_read_then_every_key_is_a_field_of_the_step_input():
    fields = _aliases(StepInput)
    for name, state in _states(RESCUE):
        if state["Type"] == "Task":
            keys = {key.removesuffix(".$") for key in state["Parameters"]["Payload"]}
            assert keys - fields == set(), f"{name} sends keys the step drops"
            assert {"orderId", "caseId", "config"} <= keys, name


def test_given_the_rescue_workflow_when_it_reads_the_config_then_every_path_names_a_step_config_field():
    used = set(re.findall(r'"\$\.config\.(\w+)"', RESCUE.text()))
    assert used
    assert used <= _aliases(StepConfig)
