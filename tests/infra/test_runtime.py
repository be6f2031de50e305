"""Python 3.12 everywhere on Lambda: the API, every function of ours and the layer (ADR 0033)."""

from __future__ import annotations

from tests.infra.cdk_template import Synth, logical_id_of, resources_of


def test_every_python_function_runs_python_3_12(synth: Synth) -> None:
    functions = {**resources_of(synth, "AWS::Lambda::Function"), **resources_of(synth, "AWS::Serverless::Function")}
    # CDK's own pages-deployment function brings its runtime with the library: not ours to pin
    deployment = logical_id_of(synth, synth.stack.pages.deployment.handler_role)
    python = {k: v["Properties"] for k, v in functions.items() if str(v["Properties"].get("Runtime", "")).startswith("python")}
    ours = {k: p for k, p in python.items() if p.get("Role") != {"Fn::GetAtt": [deployment, "Arn"]}}
    assert "APIHandler" in ours and logical_id_of(synth, synth.stack.reference_data.function) in ours
    assert {k: p["Runtime"] for k, p in ours.items()} == dict.fromkeys(ours, "python3.12")
