"""`cdk.json`: the CDK CLI's app command and the feature flags of the aws-cdk-lib in use, which
`build_app` applies as well (so tests synthesise what `cdk deploy` deploys)."""

from __future__ import annotations

import json
import tarfile
from importlib.metadata import version
from pathlib import Path

from aws_cdk import _jsii as cdk_jsii

from infra.cdk.app import CDK_JSON, feature_flags
from tests.infra.cdk_template import Synth


def recommended_flags() -> dict:
    """aws-cdk-lib's recommended-feature-flags.json (what `cdk init` writes), from its jsii bundle."""
    bundle = Path(cdk_jsii.__file__).parent / f"aws-cdk-lib@{version('aws-cdk-lib')}.jsii.tgz"
    with tarfile.open(bundle) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        return json.load(member)


# Recommended flags this project sets otherwise, and why (ADR 0031).
SET_OTHERWISE = {
    # The validation report stays cdk-nag's: our own synth warnings (a missing dependency layer)
    # are annotations, checked by their own tests.
    "@aws-cdk/core:annotationsInValidationReport": False,
}


def test_cdk_json_runs_the_app_module_with_the_installed_cdk_recommended_flags() -> None:
    config = json.loads(CDK_JSON.read_text())
    assert config["app"] == "python -m infra.cdk.app"
    recommended = recommended_flags()
    assert set(SET_OTHERWISE) <= set(recommended)
    assert config["context"] == recommended | SET_OTHERWISE
    assert config["context"]["@aws-cdk/core:target-partitions"] == ["aws", "aws-cn"]


def test_the_synthesised_stack_had_the_flags_of_cdk_json(synth: Synth) -> None:
    for flag, value in feature_flags().items():
        assert synth.stack.node.try_get_context(flag) == value, flag
