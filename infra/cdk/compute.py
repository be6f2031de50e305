"""How our Lambda functions are built: one code asset, the dependency layer, a least-privilege
role each capability fills through the other capabilities' grants, tracing and a log group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Annotations, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.cdk.common import APP_NAME, Capability, acknowledge, nag_resource
from infra.function_environment import INTERPRETER_ENVIRONMENT

LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
LAMBDA_ARCHITECTURE = lambda_.Architecture.X86_64
# Code of the standalone functions: the project root minus everything but `chalicelib/` and
# `functions/` (glob patterns, the last match wins), without bytecode or dotfiles. Dependencies
# are not bundled: they come from the layer. Everything else at the root is matched by "*"
# (tests, infra, bench, cdk.out, chalice.out, app.py, layers, ...) or, as the glob's "*" skips
# names starting with a dot, by ".*" (.venv, .local, .git, .chalice, caches).
FUNCTION_CODE_EXCLUDE = [
    "*",
    ".*",
    "!chalicelib",
    "!chalicelib/**",
    "!functions",
    "!functions/**",
    "**/__pycache__",
    "**/*.pyc",
    "**/.*",
]
XRAY_ONLY_STAR = (
    "Only the X-Ray statement has Resource '*': xray:PutTraceSegments and "
    "xray:PutTelemetryRecords support no resource-level permissions."
)


class MissingLayerError(RuntimeError):
    """A synth for a deploy without the dependency layer: every function would fail to import."""


def function_code(project_root: Path) -> lambda_.AssetCode:
    """The standalone functions' code: `chalicelib/` and `functions/` of the project, nothing else."""
    return lambda_.Code.from_asset(str(project_root), exclude=FUNCTION_CODE_EXCLUDE)


def dependency_layer(scope: Construct, layer_dir: Path) -> lambda_.LayerVersion | None:
    """The third-party dependencies as a Lambda layer, or None while the layer is not built.

    `layers/python/` is produced by a separate build step (pip install of requirements.lock for Python 3.12 /
    manylinux x86_64 into `layers/python`); only that folder goes into the layer, whatever else
    lives in `layers/` (requirements, build script).
    """
    if not (layer_dir / "python").is_dir():
        return None
    return lambda_.LayerVersion(
        scope,
        "Dependencies",
        # ".*": the glob's "*" does not match dotfiles (.gitignore, a build venv)
        code=lambda_.Code.from_asset(str(layer_dir), exclude=["*", ".*", "!python", "!python/**"]),
        compatible_runtimes=[LAMBDA_RUNTIME],
        compatible_architectures=[LAMBDA_ARCHITECTURE],
        description="Yunchetong third-party dependencies (layers/python)",
    )


class FunctionRole(iam.Role):
    """A function's execution role: its permissions inline in the role (not a separate policy
    resource), so the function, which refers to the role, is created only once they exist (Lambda
    checks the X-Ray ones). Other capabilities add statements through their grants; the functions
    running as the role log to its `log_group`."""

    def __init__(
        self,
        scope: Capability,
        construct_id: str,
        *,
        purpose: str,
        policy_name: str,
        log_group: logs.ILogGroup,
        star_reason: str = XRAY_ONLY_STAR,
    ) -> None:
        self._policy = iam.PolicyDocument()
        self._runs_functions = False
        self.log_group = log_group
        super().__init__(
            scope,
            construct_id,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=scope.describe(purpose),
            inline_policies={policy_name: self._policy},
        )
        # The X-Ray statement's Resource '*' (`star_reason` when the role's own statements need '*' too).
        acknowledge(self, "AwsSolutions-IAM5[Resource::*]", star_reason)

    def allow(self, *statements: iam.PolicyStatement) -> None:
        self._policy.add_statements(*statements)

    def accept_wildcard(self, resource: str, reason: str) -> None:
        """Accept cdk-nag's finding on a statement whose resource (an ARN) ends in a wildcard."""
        acknowledge(self, f"AwsSolutions-IAM5[Resource::{nag_resource(self, resource)}]", reason)

    def allow_running_functions(self) -> None:
        """What running a function takes: writing the role's log group, and X-Ray traces. Once,
        before the first function runs as the role, after every grant of its own."""
        if self._runs_functions:
            return
        self._runs_functions = True
        writing = ["logs:CreateLogStream", "logs:PutLogEvents"]
        self.allow(
            iam.PolicyStatement(sid="Logs", actions=writing, resources=[self.log_group.log_group_arn]),
            iam.PolicyStatement(sid="Tracing", actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]),
        )


class Compute(Capability):
    """What every standalone function shares: the code asset, the dependency layer (when built)
    and the base environment. The functions themselves belong to the capabilities that run them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        project_root: Path,
        layer_dir: Path,
        table_name: str,
        require_layer: bool = False,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        # What every function of ours reads from its environment (each adds its own).
        self.base_environment = {"STAGE": stage, "TABLE_NAME": table_name, "POWERTOOLS_SERVICE_NAME": APP_NAME,
                                 **INTERPRETER_ENVIRONMENT}
        self.layer = dependency_layer(self, layer_dir)
        if self.layer is None and require_layer:
            raise MissingLayerError(
                f"{layer_dir / 'python'} does not exist: the functions would deploy without their dependencies. "
                "Build the dependency layer first: `make layer` (or use `make synth` / `make deploy`, which build it)."
            )
        if self.layer is None:
            # The layer build is a separate step: without `layers/python` the API is synthesised
            # without its third-party dependencies, which is fine for tests but not for a deploy.
            Annotations.of(self).add_warning_v2(
                "yunchetong:NoDependencyLayer",
                "layers/python does not exist: the API and the functions have no dependency layer; build it before deploying.",
            )
        # One asset for every standalone function (the deliverer, the workflow tasks, the sweeper).
        self.code = function_code(project_root)

    def function(
        self,
        scope: Capability,
        construct_id: str,
        *,
        description: str,
        handler: str,
        role: FunctionRole,
        environment: dict[str, str],
        **options: Any,
    ) -> lambda_.Function:
        """A function of `scope`: our code asset and the dependency layer, traced, running as
        `role` and logging to the role's log group."""
        role.allow_running_functions()
        function = lambda_.Function(
            scope,
            construct_id,
            description=scope.describe(description),
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=handler,
            code=self.code,
            layers=[self.layer] if self.layer is not None else None,
            # Immutable: CDK would otherwise add the X-Ray statement as a separate policy, which
            # the function would not wait for; the inline policy already has it.
            role=role.without_policy_updates(),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=role.log_group,
            environment=environment,
            **options,
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "Python 3.12 on purpose: the API, every function and the shared dependency layer (built from "
            "requirements.lock for 3.12, manylinux x86_64) move runtime together, in one change (ADR 0033).",
        )
        return function

    def scheduled_function(
        self, scope: Capability, construct_id: str, *, every: Duration, schedule: str, **options: Any
    ) -> lambda_.Function:
        """A function an EventBridge rule (`<id>Schedule`, described as `schedule`) runs `every` so
        often: one run at a time, and a failed or throttled run (an asynchronous invocation) is not
        retried, nor a stale event queued behind a running one: the next run takes over."""
        function = self.function(
            scope, construct_id, memory_size=512, reserved_concurrent_executions=1, retry_attempts=0, max_event_age=every, **options
        )
        events.Rule(
            scope,
            f"{construct_id}Schedule",
            description=scope.describe(schedule),
            schedule=events.Schedule.rate(every),
            targets=[events_targets.LambdaFunction(function, retry_attempts=0, max_event_age=every)],
        )
        return function
