"""CDK app entry: `python -m infra.cdk.app` from the project root synthesises into `cdk.out/`.

With the CDK CLI: `npx cdk --app "python -m infra.cdk.app" synth|deploy -c stage=dev
--parameters PublicBaseUrl=https://...` plus the WeChat parameters `WechatToken`, `WechatAppId`,
`WechatEncodingAesKey` (and optionally `WechatPreviousEncodingAesKey`), see ADR 0003 (the CLI sets
CDK_OUTDIR). Offline: set AWS_DEFAULT_REGION
(only chalice's packager needs one; the template is region-agnostic), PYTHONDONTWRITEBYTECODE=1
and JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20.

cdk-nag's AwsSolutions pack runs on every synth: an unacknowledged finding fails the synth, and
the report is written as JSON to `<outdir>/validation-report.json`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra.cdk.api import PUBLISH_TAG_CONTEXT
from infra.cdk.compute import MissingLayerError
from infra.cdk.stack import PROJECT_ROOT, YunchetongStack

DEFAULT_STAGE = "dev"
# `cdk init`'s file: the app command and the feature flags of the aws-cdk-lib in use
# (its recommended-feature-flags.json). The CDK CLI passes them to the app; build_app reads them
# too, so a synth by tests or by `python -m infra.cdk.app` is the one `cdk deploy` makes.
CDK_JSON = PROJECT_ROOT / "cdk.json"


def feature_flags() -> dict[str, Any]:
    return dict(json.loads(CDK_JSON.read_text())["context"])


def build_app(
    *,
    outdir: str | None = None,
    stage: str | None = None,
    project_root: Path = PROJECT_ROOT,
    layer_dir: Path | None = None,
    region: str | None = None,
    require_layer: bool = False,
    publish_tag: str | None = None,
) -> tuple[App, YunchetongStack]:
    """The app with its one stack and cdk-nag, not yet synthesised.

    chalice.cdk packages the API into `./chalice.out/` while the stack is built: call this from
    a scratch directory (as `main` and the tests do). `require_layer`: fail without the built
    dependency layer (`main`, which the CDK CLI runs); the template tests synthesise without it.
    """
    context: dict[str, Any] = {
        **feature_flags(),
        # cdk-nag findings as JSON in <outdir>/validation-report.json (read by the tests)
        "@aws-cdk/core:validationReportJson": True,
        # Access-log delivery through a bucket policy, not the legacy LogDeliveryWrite ACL
        # (the buckets enforce bucket-owner object ownership, which disables ACLs).
        "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    }
    if publish_tag:  # the CLI's `-c publishTag=` arrives through the CLI's context instead
        context[PUBLISH_TAG_CONTEXT] = publish_tag
    app = App(outdir=outdir, context=context)
    stage = stage or app.node.try_get_context("stage") or DEFAULT_STAGE
    # Data residency: `-c region=cn-northwest-1` pins the stack (and its data) to that region and
    # its partition; without it the template is region-agnostic and deploys where the CLI points.
    region = region or app.node.try_get_context("region")
    stack = YunchetongStack(
        app,
        f"Yunchetong-{stage}",
        stage=stage,
        project_root=project_root,
        layer_dir=layer_dir,
        require_layer=require_layer,
        description=f"Yunchetong remote accident handling backend ({stage})",
        env=Environment(region=region) if region else None,
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    outdir = os.path.abspath(os.environ.get("CDK_OUTDIR") or "cdk.out")
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("CDK_DEFAULT_REGION") or "ap-east-1")
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="yunchetong-synth-") as scratch:
        os.chdir(scratch)  # chalice.cdk writes chalice.out/ into the working directory
        try:
            try:
                # LAYER_DIR: a layer built elsewhere (the entry-point test brings a small one)
                layer_dir = Path(os.environ["LAYER_DIR"]) if os.environ.get("LAYER_DIR") else None
                app, _ = build_app(outdir=outdir, layer_dir=layer_dir, require_layer=True)
            except MissingLayerError as missing:
                raise SystemExit(f"cdk synth: {missing}") from None
            app.synth()
        finally:
            os.chdir(previous)


if __name__ == "__main__":
    main()
