"""What the standalone functions share (`infra/cdk/compute.py`): the code asset of `chalicelib/` and
`functions/` only, the dependency layer once built, the schedules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, GlobIgnoreStrategy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from infra.cdk.app import build_app
from infra.cdk.compute import FUNCTION_CODE_EXCLUDE, function_code
from infra.workflows import WORKFLOWS
from tests.infra.cdk_template import (
    STAGE,
    SYNTH_ENV,
    Synth,
    asset_dir,
    calendar_check_function,
    deliverer_function,
    logical_id_of,
    mediation_sweeper_function,
    rescue_sweeper_function,
    resources_of,
)

# Folders of the project root that must never be shipped with a function.
NOT_SHIPPED = (".venv", ".local", ".git", "tests", "infra", "bench", "cdk.out", "chalice.out")


def test_deliverer_code_is_chalicelib_and_functions_only(synth: Synth) -> None:
    _, function = deliverer_function(synth)
    staged = asset_dir(synth.outdir, function, "Code")
    assert {p.name for p in staged.iterdir()} == {"chalicelib", "functions"}
    files = {str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file()}
    assert "functions/deliverer/handler.py" in files
    assert "chalicelib/settings.py" in files
    assert any(f.startswith("chalicelib/config/") and f.endswith(".json") for f in files)  # package data too
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_function_code_excludes_everything_but_chalicelib_and_functions(tmp_path: Path) -> None:
    # A project root with every folder that must stay out, bytecode and dotfiles included.
    root = tmp_path / "project"
    shipped = ["chalicelib/__init__.py", "chalicelib/config/a.json", "functions/__init__.py", "functions/deliverer/handler.py"]
    left_out = [f"{folder}/x.py" for folder in NOT_SHIPPED] + [
        ".git/HEAD",
        ".chalice/config.json",
        ".gitignore",
        "app.py",
        "requirements.txt",
        "layers/python/somepkg/__init__.py",
        "chalicelib/__pycache__/settings.cpython-311.pyc",
        "chalicelib/stray.pyc",
        "functions/deliverer/__pycache__/handler.cpython-311.pyc",
        "chalicelib/.DS_Store",
    ]
    for name in shipped + left_out:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    assert {p.name for p in root.iterdir()} >= set(NOT_SHIPPED)
    outdir = tmp_path / "cdk.out"
    app = App(outdir=str(outdir))
    stack = Stack(app, "Code")
    lambda_.Function(
        stack, "F", runtime=lambda_.Runtime.PYTHON_3_12, handler="functions.deliverer.handler.handler", code=function_code(root)
    )
    app.synth()
    (function,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
    staged = asset_dir(outdir, function, "Code")
    assert sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file()) == sorted(shipped)


def test_function_code_exclude_list_matches_every_folder_left_out() -> None:
    ignore = GlobIgnoreStrategy("/project", FUNCTION_CODE_EXCLUDE)
    for folder in NOT_SHIPPED:
        assert ignore.ignores(f"/project/{folder}"), folder
        assert ignore.ignores(f"/project/{folder}/sub/x.py"), folder
    for kept in ("chalicelib", "functions", "chalicelib/settings.py", "functions/deliverer/handler.py"):
        assert not ignore.ignores(f"/project/{kept}"), kept


def test_the_schedules_are_the_deliverers_the_sweepers_and_the_calendar_checks(synth: Synth) -> None:
    schedules = [rule for rule in resources_of(synth, "AWS::Events::Rule").values() if "ScheduleExpression" in rule["Properties"]]
    targets = [t["Arn"] for rule in schedules for t in rule["Properties"]["Targets"]]
    functions = (deliverer_function(synth)[0], rescue_sweeper_function(synth)[0], calendar_check_function(synth)[0],
                 mediation_sweeper_function(synth)[0], logical_id_of(synth, synth.stack.wechat_egress.function))
    assert sorted(targets, key=json.dumps) == sorted(({"Fn::GetAtt": [f, "Arn"]} for f in functions), key=json.dumps)
    permissions = resources_of(synth, "AWS::Lambda::Permission").values()
    invokers = [p for p in permissions if p["Properties"]["Principal"] == "events.amazonaws.com"]
    invoked = [p["Properties"]["FunctionName"] for p in invokers]
    # each scheduled function may be invoked by EventBridge once; other rules (the video recorder's) are not schedules
    assert sorted(({"Fn::GetAtt": [f, "Arn"]} for f in functions), key=json.dumps) == sorted(
        (name for name in invoked if name in [{"Fn::GetAtt": [f, "Arn"]} for f in functions]), key=json.dumps)


def test_api_uses_the_dependency_layer_once_built(tmp_path: Path) -> None:
    layer_dir = tmp_path / "layers"
    (layer_dir / "python" / "somepkg").mkdir(parents=True)
    (layer_dir / "python" / "somepkg" / "__init__.py").write_text("")
    (layer_dir / "requirements.txt").write_text("somepkg\n")
    (layer_dir / "build.sh").write_text("#!/bin/sh\n")
    (layer_dir / ".gitignore").write_text("python/\n")
    outdir = tmp_path / "cdk.out"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SYNTH_ENV.items():
            patch.setenv(name, value)
        patch.chdir(tmp_path)
        app, stack = build_app(outdir=str(outdir), stage=STAGE, layer_dir=layer_dir)
        app.synth()  # cdk-nag included
    template = Template.from_stack(stack)
    # CDK's pages deployment function (its own role and AWS CLI layer) is not one of ours
    deployment_role = stack.resolve(stack.pages.deployment.handler_role.node.default_child.logical_id)
    all_functions = template.find_resources("AWS::Lambda::Function")
    (deployment,) = (f for f in all_functions.values() if f["Properties"]["Role"] == {"Fn::GetAtt": [deployment_role, "Arn"]})
    cli_layers = [layer["Ref"] for layer in deployment["Properties"]["Layers"]]
    layers = {k: v for k, v in template.find_resources("AWS::Lambda::LayerVersion").items() if k not in cli_layers}
    assert len(layers) == 1
    (layer_id, layer), *_ = layers.items()
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["x86_64"]
    handler = template.find_resources("AWS::Serverless::Function")["APIHandler"]
    assert handler["Properties"]["Layers"] == [{"Ref": layer_id}]
    # the deliverer, every workflow task, the rescue sweeper, the calendar check, the room's connect, disconnect and push,
    # the mediation sweeper, the room's video recorder, the daily and monthly reports, the stream deliverer,
    # the WeChat token refresher, the reference data migration and the report rebuild; besides ours, the CDK Provider framework's
    # own Node.js function that relays CloudFormation's requests to the migration, and the pages' deployment
    ours = {k: f for k, f in all_functions.items() if f is not deployment and f["Properties"]["Runtime"].startswith("python")}
    assert len(ours) == 3 + sum(len(w.functions) for w in WORKFLOWS) + 3 + 1 + 1 + 2 + 2 + 1 + 1
    assert len(all_functions) == len(ours) + 2
    for name, function in ours.items():
        assert function["Properties"]["Layers"] == [{"Ref": layer_id}], name
    # only layers/python goes into the layer, as python/... at the root of the zip
    staged = asset_dir(outdir, layer, "Content")
    files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file())
    assert files == ["python/somepkg/__init__.py"]
