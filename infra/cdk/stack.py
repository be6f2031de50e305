"""`YunchetongStack`: every AWS resource of the backend in one stack.

What it holds (see docs/decisions/0003-aws-deployment.md for the reasons):
- the single DynamoDB table, built from `chalicelib.store.models.table_spec()`;
- the evidence bucket (versioned, Object Lock, KMS, no public access) and its access-log bucket;
- the documents bucket for issued PDFs (same protections, no CORS: downloads are presigned GETs);
- the app secret (`{"tokenSecret": ..., "lookupHashKey": ..., "wechatAppSecret": ""}`), generated
  at deploy time except `wechatAppSecret`, which operations fill in;
- the WeChat official account's settings as CloudFormation parameters (token and EncodingAESKeys
  NoEcho) and SMS through SNS, in both functions' environment (the deliverer sends the SMS);
- the Chalice API (through `chalice.cdk`) running as a least-privilege role we own;
- the webhook deliverer (`functions/deliverer`), a plain Lambda function run every minute by an
  EventBridge schedule, with its own least-privilege role;
- each workflow of `infra.workflows.WORKFLOWS` (the rescue): a Standard state machine from its
  `statemachines/*.asl.json` file, one function per task sharing one least-privilege role, the
  state machine's own role that may invoke exactly those functions, logs and traces;
- the rescue sweeper (`functions/rescue_sweeper`), a plain Lambda function run every 5 minutes by
  an EventBridge schedule, with its own least-privilege role: it ends open rescue orders whose
  run is not running through the workflow's compensation (truck released, order FAILED);
- the name prefix of the insurers' signing secrets (created per insurer by provisioning, not here);
- the dependency layer (only when `layers/python` has been built);
- alarms on an encrypted SNS topic (including failed workflow runs and failed sweeps).

Nothing here names an account, a region or an ARN: the template is environment-agnostic and
synthesises offline. cdk-nag (AwsSolutions) is applied in `infra/cdk/app.py`; every finding we
accept is acknowledged next to the resource with its reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import (
    Acknowledgment,
    Annotations,
    ArnFormat,
    Aws,
    CfnOutput,
    CfnParameter,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    Tags,
    Validations,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.integrations.document_store import document_key
from chalicelib.integrations.evidence_store import evidence_key, upload_key
from chalicelib.store.models import OutboxItem, RescueOrderItem, TowTruckItem, table_spec
from infra.workflows import PARTITION, RESCUE, WORKFLOWS, Workflow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "yunchetong"
API_GATEWAY_STAGE = "api"
# Chalice names the handler of all HTTP routes `APIHandler` and the API `RestAPI` in its SAM output.
API_HANDLER = "APIHandler"
REST_API = "RestAPI"
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_11
LAMBDA_ARCHITECTURE = lambda_.Architecture.X86_64
DELIVERER_HANDLER = "functions.deliverer.handler.handler"
RESCUE_SWEEPER_HANDLER = "functions.rescue_sweeper.handler.handler"
# The index the deliverer queries for due outbox messages (chalicelib.store.outbox.pending).
OUTBOX_INDEX = OutboxItem.gsi1.Meta.index_name
# The index the rescue steps query for standby tow trucks near a pickup (store.fleet.standby_in).
TOW_TRUCK_INDEX = TowTruckItem.gsi1.Meta.index_name
# The index the sweeper queries for open rescue orders per jurisdiction and status (rescue_queue_key).
RESCUE_QUEUE_INDEX = RescueOrderItem.gsi1.Meta.index_name
# The app secret's keys; `wechatAppSecret` is a placeholder that operations fill in after the deploy.
APP_SECRET_KEYS = ("tokenSecret", "lookupHashKey", "wechatAppSecret")
# WeChat's formats: a token of 3 to 32 letters and digits, an AppID `wx` + 16 characters, an
# EncodingAESKey of 43 base64 characters (chalicelib.integrations.wechat checks the same).
WECHAT_TOKEN_PATTERN = r"^[A-Za-z0-9]{3,32}$"  # noqa: S105 - a format, not a token
WECHAT_APP_ID_PATTERN = r"^wx[A-Za-z0-9]{16}$"
WECHAT_AES_KEY = r"[A-Za-z0-9+/]{43}"
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


class IsolatedChalice(Chalice):
    """`chalice.cdk.Chalice` that runs `chalice package` in a child process, on a clean copy.

    - Child process: packaging imports the project's `app.py` and copies the stage's environment
      variables (and `AWS_EXECUTION_ENV`) into `os.environ` of the process running it; in the
      synth process that would leak placeholders such as `TABLE_NAME=${Token[...]}` into whatever
      runs next (other tests of the same pytest session) and import the app under a fake Lambda
      environment.
    - Clean copy: chalice caches its zip under `<project>/.chalice/deployments/` and zips every
      file of `chalicelib/`, `__pycache__` included; packaging a copy without bytecode keeps the
      package reproducible and the working tree untouched.
    Everything else (assets, `CfnInclude` of the SAM output) is chalice's own.
    """

    _PACKAGE = "import json, sys; from chalice import api; api.package_app(**json.loads(sys.argv[1]))"
    _IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments")

    def _package_app(self) -> None:
        with tempfile.TemporaryDirectory(prefix="chalice-source-") as scratch:
            source = Path(scratch) / "project"
            self._copy_sources(Path(self.source_dir), source)
            arguments = {
                "project_dir": str(source),
                "output_dir": self._sam_package_dir,
                "stage": self.stage_name,
                "chalice_config": self.stage_config,
            }
            result = subprocess.run(  # noqa: S603 - our interpreter, our arguments, no shell
                [sys.executable, "-c", self._PACKAGE, json.dumps(arguments)],
                env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"},
                capture_output=True,
                text=True,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"chalice package failed for {self.source_dir}:\n{result.stdout}{result.stderr}")

    @classmethod
    def _copy_sources(cls, project: Path, target: Path) -> None:
        """What chalice packages: app.py, requirements.txt, chalicelib/, vendor/, .chalice/ config."""
        target.mkdir()
        for name in ("app.py", "requirements.txt"):
            if (project / name).is_file():
                shutil.copy2(project / name, target / name)
        for name in ("chalicelib", "vendor", ".chalice"):
            if (project / name).is_dir():
                shutil.copytree(project / name, target / name, ignore=cls._IGNORE)


def key_pattern(make_key: Callable[[str, str], str]) -> str:
    """The object keys a store's key function makes, as a pattern: `uploads/{c}/{e}` -> `uploads/*`."""
    marker = "\x00"
    return make_key(marker, marker).split(marker, 1)[0] + "*"


# Browsers PUT to staging keys; verified shots are copied to write-once keys (evidence_store.seal).
UPLOADS = key_pattern(upload_key)
SEALED = key_pattern(evidence_key)
# Issued PDFs (document_store): written, locked once recorded, or discarded by version if not.
DOCUMENTS = key_pattern(document_key)


def acknowledge(construct: Construct, rule_id: str, reason: str) -> None:
    """Accept one cdk-nag finding on `construct` (and its children), with the reason on record."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def camel_case(name: str) -> str:
    """A construct id from a registry name: `rescue-find-candidates` -> `RescueFindCandidates`."""
    return "".join(part.capitalize() for part in name.split("-"))


@dataclass(frozen=True)
class DeployedWorkflow:
    """One workflow of `infra.workflows` as deployed: the task functions (by placeholder) with
    their shared role and log group, and the state machine with its own role and log group."""

    workflow: Workflow
    state_machine_name: str
    # Formatted from the name, so a role may name the machine without referring to the resource
    # (the machine refers to the functions, which refer to their role: a Ref would be a cycle).
    state_machine_arn: str
    executions_arn: str  # every run of the machine: arn:...:execution:<machine name>:*
    function_role: iam.Role
    function_logs: logs.LogGroup
    functions: dict[str, lambda_.Function]
    state_machine_role: iam.Role
    state_machine_logs: logs.LogGroup
    state_machine: sfn.StateMachine


def function_code(project_root: Path) -> lambda_.AssetCode:
    """The standalone functions' code: `chalicelib/` and `functions/` of the project, nothing else."""
    return lambda_.Code.from_asset(str(project_root), exclude=FUNCTION_CODE_EXCLUDE)


XRAY_ONLY_STAR = (
    "Only the X-Ray statement has Resource '*': xray:PutTraceSegments and "
    "xray:PutTelemetryRecords support no resource-level permissions."
)


def dependency_layer(scope: Construct, layer_dir: Path) -> lambda_.LayerVersion | None:
    """The third-party dependencies as a Lambda layer, or None while the layer is not built.

    `layers/python/` is produced by a separate build step (pip install for Python 3.11 /
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


class YunchetongStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str = "dev",
        project_root: Path = PROJECT_ROOT,
        layer_dir: Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        Tags.of(self).add("project", APP_NAME)
        Tags.of(self).add("stage", stage)

        self.public_base_url = CfnParameter(
            self,
            "PublicBaseUrl",
            type="String",
            description="Public HTTPS base URL of the service (links in SMS / WeChat notices); "
            "its origin is also the only origin allowed to upload evidence from a browser.",
            allowed_pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/.*)?$",
            constraint_description="must be an https:// URL",
        )
        # scheme + host of the base URL: "https://a.b/c" -> ["https:", "", "a.b", "c"] -> "https://a.b"
        public_origin = Fn.join("", ["https://", Fn.select(2, Fn.split("/", self.public_base_url.value_as_string))])
        self.messaging_environment = self._messaging_environment()

        self.data_key = kms.Key(
            self,
            "DataKey",
            description=f"{APP_NAME} {stage}: table, evidence, documents and secrets",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table = self._table()
        self.access_logs = self._access_log_bucket()
        self.evidence = self._evidence_bucket(public_origin)
        self.documents = self._documents_bucket()
        self.app_secrets = self._app_secrets()
        # Each insurer's webhook signing secret is `<prefix>/<insurerCode>`, created by provisioning
        # (chalicelib.integrations.insurer_secrets); the stack only fixes the prefix and scopes
        # IAM to it. Secret ARNs end in `-<6 random characters>`, which `/*` covers.
        self.insurer_secret_prefix = f"{APP_NAME}/{stage}/insurers"
        self.insurer_secrets_arn = self.format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{self.insurer_secret_prefix}/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        # What every function of ours reads from its environment (the API, the deliverer and the sweeper add theirs).
        self.base_environment = {
            "STAGE": stage,
            "TABLE_NAME": self.table.table_name,
            "POWERTOOLS_SERVICE_NAME": APP_NAME,
        }
        self.layer = dependency_layer(self, layer_dir or project_root / "layers")
        if self.layer is None:
            # The layer build is a separate step: without `layers/python` the API is synthesised
            # without its third-party dependencies, which is fine for tests but not for a deploy.
            Annotations.of(self).add_warning_v2(
                "yunchetong:NoDependencyLayer",
                "layers/python does not exist: the API and the functions have no dependency layer; build it before deploying.",
            )
        # One asset for every standalone function (the deliverer, the workflow tasks, the sweeper).
        self.function_code = function_code(project_root)
        # Before the API: its environment names each state machine.
        self.workflows = {workflow.name: self._workflow(workflow) for workflow in WORKFLOWS}
        self.api_log_group = self._log_group("ApiLogs")
        self.api_role = self._api_role()
        self.api = self._api(project_root)
        self.deliverer_log_group = self._log_group("DelivererLogs")
        self.deliverer_role = self._deliverer_role()
        self.deliverer = self._deliverer()
        self.deliverer_schedule = events.Rule(
            self,
            "DelivererSchedule",
            description=f"{APP_NAME} {stage}: deliver due outbox webhooks",
            schedule=events.Schedule.rate(Duration.minutes(1)),
            # A missed minute is harmless (the next run takes what is due): no retries of the
            # invocation, no stale events queued behind a running deliverer.
            targets=[events_targets.LambdaFunction(self.deliverer, retry_attempts=0, max_event_age=Duration.minutes(1))],
        )
        # After the workflows: the sweeper names the rescue state machine (a Ref; the machine does
        # not depend on the sweeper, so there is no cycle).
        self.rescue_sweeper_log_group = self._log_group("RescueSweeperLogs")
        self.rescue_sweeper_role = self._rescue_sweeper_role(self.workflows[RESCUE.name])
        self.rescue_sweeper = self._rescue_sweeper(self.workflows[RESCUE.name])
        self.rescue_sweeper_schedule = events.Rule(
            self,
            "RescueSweeperSchedule",
            description=f"{APP_NAME} {stage}: end rescue orders whose run is not running",
            schedule=events.Schedule.rate(Duration.minutes(5)),
            # As the deliverer's: a missed sweep is harmless (the next one finds the same orders).
            targets=[events_targets.LambdaFunction(self.rescue_sweeper, retry_attempts=0, max_event_age=Duration.minutes(5))],
        )
        self.alarm_topic = self._alarm_topic()
        self._alarms()

        CfnOutput(self, "TableName", value=self.table.table_name)
        CfnOutput(self, "EvidenceBucketName", value=self.evidence.bucket_name)
        CfnOutput(self, "DocumentsBucketName", value=self.documents.bucket_name)
        CfnOutput(self, "AppSecretsId", value=self.app_secrets.secret_arn)
        CfnOutput(
            self,
            "InsurerSecretPrefix",
            value=self.insurer_secret_prefix,
            description="Create each insurer's signing secret as <prefix>/<insurerCode>",
        )
        CfnOutput(self, "AlarmTopicArn", value=self.alarm_topic.topic_arn)

    # --- WeChat and SMS ----------------------------------------------------------------------

    def _messaging_environment(self) -> dict[str, str]:
        """WeChat and SMS settings of both functions: the real providers, the account's settings.

        The app reads the WeChat token and EncodingAESKeys from its environment, so they come from
        NoEcho parameters (kept out of the template and out of CloudFormation's console and API,
        but readable in the functions' configuration); the AppSecret, which obtains WeChat API access
        tokens, is in the app secret instead. No defaults: a deploy names the account. SMS goes
        through SNS; only the deliverer sends it (party notices), so only its role may publish.
        """
        token = CfnParameter(
            self,
            "WechatToken",
            type="String",
            no_echo=True,
            description="WeChat official account: the Token set on the server configuration page",
            allowed_pattern=WECHAT_TOKEN_PATTERN,
            constraint_description="3 to 32 letters or digits",
        )
        app_id = CfnParameter(
            self,
            "WechatAppId",
            type="String",
            description="WeChat official account: the AppID (public)",
            allowed_pattern=WECHAT_APP_ID_PATTERN,
            constraint_description="wx followed by 16 letters or digits",
        )
        aes_key = CfnParameter(
            self,
            "WechatEncodingAesKey",
            type="String",
            no_echo=True,
            description="WeChat official account: the current EncodingAESKey (safe mode)",
            allowed_pattern=f"^{WECHAT_AES_KEY}$",
            constraint_description="43 base64 characters",
        )
        previous_aes_key = CfnParameter(
            self,
            "WechatPreviousEncodingAesKey",
            type="String",
            no_echo=True,
            default="",
            description="WeChat official account: the EncodingAESKey before the last change, while WeChat may still use it; empty for none",
            allowed_pattern=f"^({WECHAT_AES_KEY})?$",
            constraint_description="empty or 43 base64 characters",
        )
        return {
            "SMS_PROVIDER": "sns",
            "WECHAT_OAUTH": "wechat",
            "WECHAT_TOKEN": token.value_as_string,
            "WECHAT_APP_ID": app_id.value_as_string,
            "WECHAT_ENCODING_AES_KEY": aes_key.value_as_string,
            # Always set: empty means none (wechat_account.aes_keys() drops empty keys).
            "WECHAT_PREVIOUS_ENCODING_AES_KEY": previous_aes_key.value_as_string,
        }

    # --- data ------------------------------------------------------------------------------

    def _table(self) -> dynamodb.Table:
        spec = table_spec()

        def key(name: str | None) -> dynamodb.Attribute | None:
            return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING) if name else None

        table = dynamodb.Table(
            self,
            "Table",
            partition_key=key(spec["partition_key"]),  # type: ignore[arg-type]
            sort_key=key(spec.get("sort_key")),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.data_key,
            time_to_live_attribute=spec.get("ttl_attribute"),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.index_names: list[str] = []
        for index in spec["indexes"]:
            table.add_global_secondary_index(
                index_name=index["name"],
                partition_key=key(index["partition_key"]),  # type: ignore[arg-type]
                sort_key=key(index.get("sort_key")),
                projection_type=dynamodb.ProjectionType.ALL,
            )
            self.index_names.append(index["name"])
        return table

    def _access_log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging only delivers to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(3 * 365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # No AwsSolutions-S1 finding here: cdk-nag recognises the target of server access logs.
        return bucket

    def _function_role(
        self,
        construct_id: str,
        purpose: str,
        policy_name: str,
        log_group: logs.ILogGroup,
        statements: list[iam.PolicyStatement],
        star_reason: str = XRAY_ONLY_STAR,
    ) -> iam.Role:
        """A function's role with its own statements plus writing its log group and X-Ray traces.

        Inline in the role (not a separate policy resource), so the function, which refers to the
        role, is created only once its permissions exist (Lambda checks the X-Ray ones). The X-Ray
        statement's Resource '*' is acknowledged here, with `star_reason` when the role's own
        statements need '*' too.
        """
        statements = [
            *statements,
            iam.PolicyStatement(sid="Logs", actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]),
            iam.PolicyStatement(sid="Tracing", actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]),
        ]
        role = iam.Role(
            self,
            construct_id,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{APP_NAME} {self.stage}: {purpose}",
            inline_policies={policy_name: iam.PolicyDocument(statements=statements)},
        )
        acknowledge(role, "AwsSolutions-IAM5[Resource::*]", star_reason)
        return role

    def _log_group(self, construct_id: str) -> logs.LogGroup:
        return logs.LogGroup(self, construct_id, retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN)

    @staticmethod
    def _via(*services: str) -> dict[str, Any]:
        """The condition that limits a KMS statement to calls these services make for the role."""
        return {"StringEquals": {"kms:ViaService": [Fn.sub(f"{s}.${{AWS::Region}}.amazonaws.com") for s in services]}}

    def _table_data_key(self) -> iam.PolicyStatement:
        """The table's encryption key, for calls DynamoDB makes on the role's behalf."""
        return iam.PolicyStatement(
            sid="DataKeyTable",
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            resources=[self.data_key.key_arn],
            conditions=self._via("dynamodb"),
        )

    def _acknowledge_runs(self, role: iam.Role, deployed: DeployedWorkflow, what_the_role_does: str) -> None:
        """A role's statement on every run of one state machine: run names are only known at run time."""
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{self._nag_resource(deployed.executions_arn)}]",
            f"Runs of {deployed.state_machine_name} are named per rescue order at run time "
            f"(case id + flow); {what_the_role_does}, on this state machine only.",
        )

    def _nag_resource(self, arn: str) -> str:
        """An ARN the way cdk-nag names it in a finding id: pseudo parameters as <AWS::...>."""
        resolved = self.resolve(arn)
        parts = resolved["Fn::Join"][1] if isinstance(resolved, dict) else [resolved]
        return "".join(f"<{part['Ref']}>" if isinstance(part, dict) else part for part in parts)

    def _function(
        self,
        construct_id: str,
        *,
        description: str,
        handler: str,
        role: iam.Role,
        log_group: logs.ILogGroup,
        environment: dict[str, str],
        **options: Any,
    ) -> lambda_.Function:
        """A standalone function: our code asset and the dependency layer, traced, logging to
        `log_group`, running as `role` (whose inline policy already has logs and X-Ray)."""
        function = lambda_.Function(
            self,
            construct_id,
            description=f"{APP_NAME} {self.stage}: {description}",
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=handler,
            code=self.function_code,
            layers=[self.layer] if self.layer is not None else None,
            # Immutable: CDK would otherwise add the X-Ray statement as a separate policy, which
            # the function would not wait for; the inline policy already has it.
            role=role.without_policy_updates(),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment=environment,
            **options,
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "Python 3.11 on purpose: the API runs on 3.11 and the shared dependency layer is built "
            "for 3.11 (manylinux x86_64); moving runtime is one change for every function and the layer.",
        )
        return function

    def _locked_bucket(self, construct_id: str, logs_prefix: str, **extra: Any) -> s3.Bucket:
        """Versioned, Object Lock enabled with NO default retention (the API locks exactly what it
        has verified or recorded, in compliance mode), KMS, private, TLS only, logged, retained."""
        return s3.Bucket(
            self,
            construct_id,
            versioned=True,
            object_lock_enabled=True,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.data_key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=logs_prefix,
            removal_policy=RemovalPolicy.RETAIN,
            **extra,
        )

    def _evidence_bucket(self, public_origin: str) -> s3.Bucket:
        # Write-once evidence: the API copies a verified upload to its sealed key and locks that
        # version (EVIDENCE_RETENTION_DAYS); staging uploads are never locked, so the lifecycle
        # below can clear them.
        return self._locked_bucket(
            "Evidence",
            "evidence/",
            cors=[
                # Browsers upload with presigned PUT URLs and view with presigned GET URLs.
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                    allowed_origins=[public_origin],
                    allowed_headers=["*"],
                    exposed_headers=["ETag", "x-amz-version-id", "x-amz-checksum-sha256"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
                # Staging uploads: sealed ones are deleted by the API (leaving a noncurrent version
                # and a delete marker), abandoned ones are never verified.
                s3.LifecycleRule(
                    id="expire-staging-uploads",
                    prefix=UPLOADS.rstrip("*"),
                    expiration=Duration.days(7),
                    noncurrent_version_expiration=Duration.days(1),
                ),
                s3.LifecycleRule(id="clear-staging-delete-markers", prefix=UPLOADS.rstrip("*"), expired_object_delete_marker=True),
            ],
        )

    def _documents_bucket(self) -> s3.Bucket:
        # Issued letters and agreements: the API writes a draft, records it on the case, then locks
        # that exact version (DOCUMENT_RETENTION_DAYS); a draft the case never recorded is deleted
        # by version, which a default retention would forbid. No CORS: downloads are presigned GET
        # navigations and nothing is uploaded from a browser.
        return self._locked_bucket(
            "Documents",
            "documents/",
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
        )

    def _app_secrets(self) -> secretsmanager.Secret:
        # A generated secret has exactly one generated field, and the app needs two independent
        # keys in one JSON secret: `lookupHashKey` is generated in its own secret first and put
        # into the template of the app secret through a dynamic reference, resolved by
        # CloudFormation at deploy time (never in the template or in the CDK output).
        lookup_seed = secretsmanager.Secret(
            self,
            "LookupHashKeySeed",
            description=f"{APP_NAME} {self.stage}: seed of lookupHashKey in AppSecrets",
            encryption_key=self.data_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True, include_space=False),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            lookup_seed,
            "AwsSolutions-SMG4",
            "Seed copied once into AppSecrets.lookupHashKey, which keys the hashes of ID numbers "
            "stored in the table: a new value would orphan them, so it is never rotated. Generated "
            "at deploy time, encrypted with the data key, not readable by the API role.",
        )
        template = Fn.join(
            "",
            [
                '{"lookupHashKey":"',
                lookup_seed.secret_value.unsafe_unwrap(),  # a {{resolve:...}} reference, not the value
                # Placeholder, filled by operations (put-secret-value keeping the other keys): the
                # AppSecret of the WeChat official account (access tokens, OAuth code exchange).
                '","wechatAppSecret":""}',
            ],
        )
        secret = secretsmanager.Secret(
            self,
            "AppSecrets",
            description=f"{APP_NAME} {self.stage}: " + json.dumps(dict.fromkeys(APP_SECRET_KEYS, "...")),
            encryption_key=self.data_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=template,
                generate_string_key="tokenSecret",
                password_length=64,
                exclude_punctuation=True,
                include_space=False,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "lookupHashKey keys the stored ID-number hashes (a new value would orphan them) and "
            "tokenSecret signs party and staff tokens; rotating tokenSecret needs a dual-key "
            "verification window that chalicelib does not have yet (see ADR 0003); wechatAppSecret is "
            "issued by WeChat and set by operations. Generated at deploy time, encrypted with the data "
            "key, readable only by the API and deliverer roles.",
        )
        return secret

    # --- compute -----------------------------------------------------------------------------

    def _api_role(self) -> iam.Role:
        """The API's execution role: exactly what the app does, on exactly our resources."""
        table_arn = self.table.table_arn
        statements = [
            iam.PolicyStatement(
                sid="TableItems",
                actions=[
                    "dynamodb:DescribeTable",  # PynamoDB reads the table description once
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:ConditionCheckItem",  # TransactWriteItems condition checks
                ],
                resources=[table_arn],
            ),
            iam.PolicyStatement(
                sid="TableIndexes",
                actions=["dynamodb:Query"],
                resources=[f"{table_arn}/index/{name}" for name in self.index_names],
            ),
            iam.PolicyStatement(
                # presigned PUT (signed by this role), inspect, copy source, discard
                sid="EvidenceUploads",
                actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                resources=[self.evidence.arn_for_objects(UPLOADS)],
            ),
            iam.PolicyStatement(
                # copy target, compliance-mode retention, reading back; never deleting
                sid="EvidenceSealed",
                actions=["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject", "s3:GetObjectVersion"],
                resources=[self.evidence.arn_for_objects(SEALED)],
            ),
            iam.PolicyStatement(
                # Without it HeadObject on a missing upload answers 403 instead of 404.
                sid="EvidenceList",
                actions=["s3:ListBucket"],
                resources=[self.evidence.bucket_arn],
            ),
            iam.PolicyStatement(
                # put (draft), read (hash for /verify), read a version (presigned download),
                # compliance-mode retention on the recorded version, delete the exact version of a
                # draft never recorded. No s3:DeleteObject (no delete markers, no unversioned
                # deletes) and no s3:BypassGovernanceRetention.
                sid="Documents",
                actions=[
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:PutObjectRetention",
                    "s3:DeleteObjectVersion",
                ],
                resources=[self.documents.arn_for_objects(DOCUMENTS)],
            ),
            iam.PolicyStatement(
                # Without it GetObject on a missing document answers 403 (AccessDenied) instead of
                # 404 (NoSuchKey), which document_store.current_sha256 reads as "not stored".
                sid="DocumentsList",
                actions=["s3:ListBucket"],
                resources=[self.documents.bucket_arn],
            ),
            iam.PolicyStatement(
                sid="DataKey",
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=[self.data_key.key_arn],
                conditions=self._via("dynamodb", "s3", "secretsmanager"),
            ),
            iam.PolicyStatement(
                sid="AppSecrets",
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.app_secrets.secret_arn],
            ),
            iam.PolicyStatement(
                # verify inbound webhooks (read), rotate an insurer's secret (describe, read, put
                # a new version); never create, delete or change a secret's policy
                sid="InsurerSecrets",
                actions=["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"],
                resources=[self.insurer_secrets_arn],
            ),
            *(statement for deployed in self.workflows.values() for statement in self._workflow_client_statements(deployed)),
        ]
        role = self._function_role("ApiRole", "execution role of the Chalice API", "api", self.api_log_group, statements)
        for deployed in self.workflows.values():
            self._acknowledge_runs(role, deployed, "the API only stops them (cancelling an order)")
        evidence_logical_id = self.resolve(self.evidence.node.default_child.logical_id)  # type: ignore[union-attr]
        for pattern in (UPLOADS, SEALED):
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::<{evidence_logical_id}.Arn>/{pattern}]",
                f"Evidence object keys under {pattern} are generated per case and shot "
                "(chalicelib.integrations.evidence_store); object actions only, on this bucket only.",
            )
        documents_logical_id = self.resolve(self.documents.node.default_child.logical_id)  # type: ignore[union-attr]
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{documents_logical_id}.Arn>/{DOCUMENTS}]",
            f"Document object keys under {DOCUMENTS} are generated per case and document "
            "(chalicelib.integrations.document_store); object actions only (no DeleteObject, no "
            "governance bypass), on this bucket only.",
        )
        self._acknowledge_insurer_secrets(
            role,
            "read, describe and put a new version only (verifying inbound webhooks, rotating a "
            "secret); no create, delete or policy actions.",
        )
        return role

    @staticmethod
    def _workflow_client_statements(deployed: DeployedWorkflow) -> list[iam.PolicyStatement]:
        """What the API does with a workflow: start a run, stop (cancel) one, answer a waiting step
        (a driver's answer to an offer, an arrival or completion report)."""
        prefix = camel_case(deployed.workflow.name)
        return [
            iam.PolicyStatement(sid=f"{prefix}Start", actions=["states:StartExecution"], resources=[deployed.state_machine_arn]),
            iam.PolicyStatement(sid=f"{prefix}Stop", actions=["states:StopExecution"], resources=[deployed.executions_arn]),
            iam.PolicyStatement(
                # Task tokens carry no ARN of their own: IAM authorises the answer against the state
                # machine whose task issued the token (as CDK's StateMachine.grantTaskResponse does).
                sid=f"{prefix}Answer",
                actions=["states:SendTaskSuccess", "states:SendTaskFailure"],
                resources=[deployed.state_machine_arn],
            ),
        ]

    def _acknowledge_insurer_secrets(self, role: iam.Role, actions: str) -> None:
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{self._nag_resource(self.insurer_secrets_arn)}]",
            f"One Secrets Manager secret per insurer under {self.insurer_secret_prefix}/, created by "
            "provisioning as insurers join (their codes are data, not known to the stack); " + actions,
        )

    def _deliverer_role(self) -> iam.Role:
        """The deliverer's role: read due messages, lease and record them, sign, presign links,
        send party notices (WeChat, SMS)."""
        table_arn = self.table.table_arn
        statements = [
            iam.PolicyStatement(
                # load the case (Query on its partition), the insurer (GetItem), lease a message
                # (UpdateItem), record message + attempt (+ endpoint) in TransactWriteItems (PutItem)
                sid="TableItems",
                actions=["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[table_arn],
            ),
            iam.PolicyStatement(
                sid="OutboxIndex",
                actions=["dynamodb:Query"],
                resources=[f"{table_arn}/index/{OUTBOX_INDEX}"],
            ),
            iam.PolicyStatement(
                # presigned links to sealed evidence in claim.reported (signed by this role)
                sid="EvidenceRead",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[self.evidence.arn_for_objects(SEALED)],
            ),
            iam.PolicyStatement(
                # presigned links to issued documents in claim.reported
                sid="DocumentsRead",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[self.documents.arn_for_objects(DOCUMENTS)],
            ),
            iam.PolicyStatement(
                sid="InsurerSecrets",
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.insurer_secrets_arn],
            ),
            iam.PolicyStatement(
                # party notices: tokenSecret signs the case link appended to a notice when it is
                # sent; wechatAppSecret gets the access token for WeChat customer-service messages
                sid="AppSecrets",
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.app_secrets.secret_arn],
            ),
            iam.PolicyStatement(
                # party notices by SMS (no WeChat, or WeChat refused): Publish with PhoneNumber has
                # no resource ARN and SNS no condition key for the number, hence "*". Without KMS
                # on the alarm topic's key this cannot publish to the (encrypted) alarm topic.
                sid="Sms",
                actions=["sns:Publish"],
                resources=["*"],
            ),
            self._table_data_key(),
            iam.PolicyStatement(
                # objects behind the presigned links; the app secret; insurer secrets if
                # provisioned with the data key
                sid="DataKeyRead",
                actions=["kms:Decrypt"],
                resources=[self.data_key.key_arn],
                conditions=self._via("s3", "secretsmanager"),
            ),
        ]
        role = self._function_role(
            "DelivererRole", "execution role of the webhook deliverer", "deliverer", self.deliverer_log_group, statements,
            star_reason="Resource '*' only for X-Ray (xray:PutTraceSegments and xray:PutTelemetryRecords support "
            "no resource-level permissions) and for sns:Publish of party notices by SMS: a text "
            "message to a phone number has no resource ARN and SNS has no condition key for it.",
        )
        evidence_logical_id = self.resolve(self.evidence.node.default_child.logical_id)  # type: ignore[union-attr]
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{evidence_logical_id}.Arn>/{SEALED}]",
            f"Sealed evidence keys under {SEALED} are generated per case and shot; the deliverer "
            "only reads them (GetObject, GetObjectVersion) to presign links for insurers.",
        )
        documents_logical_id = self.resolve(self.documents.node.default_child.logical_id)  # type: ignore[union-attr]
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{documents_logical_id}.Arn>/{DOCUMENTS}]",
            f"Document keys under {DOCUMENTS} are generated per case and document; the deliverer "
            "only reads them (GetObject, GetObjectVersion) to presign links for insurers.",
        )
        self._acknowledge_insurer_secrets(role, "GetSecretValue only (signing outbound webhooks).")
        return role

    def _scheduled_function(self, construct_id: str, every: Duration, **kwargs: Any) -> lambda_.Function:
        """A function a schedule runs `every` so often: one run at a time, and a failed or
        throttled run (an asynchronous invocation) is not retried — the next one takes over."""
        return self._function(
            construct_id, memory_size=512, reserved_concurrent_executions=1, retry_attempts=0, max_event_age=every, **kwargs
        )

    def _deliverer(self) -> lambda_.Function:
        """`functions/deliverer`: one run at a time, every minute (the code also leases messages)."""
        return self._scheduled_function(
            "Deliverer",
            every=Duration.minutes(1),
            description="deliver outbox webhooks to insurers",
            handler=DELIVERER_HANDLER,
            role=self.deliverer_role,
            log_group=self.deliverer_log_group,
            timeout=Duration.seconds(60),
            environment={
                **self.base_environment,
                "EVIDENCE_BUCKET": self.evidence.bucket_name,
                "DOCUMENTS_BUCKET": self.documents.bucket_name,
                "INSURER_SECRET_PREFIX": self.insurer_secret_prefix,
                "PUBLIC_BASE_URL": self.public_base_url.value_as_string,
                "APP_SECRETS_ID": self.app_secrets.secret_arn,
                **self.messaging_environment,
            },
        )

    # --- workflows ---------------------------------------------------------------------------

    def _workflow(self, workflow: Workflow) -> DeployedWorkflow:
        """A workflow of the registry: its task functions, then the state machine that calls them.

        The definition file goes up as an asset (`DefinitionS3Location`), never inlined in the
        template; each `${Placeholder}` is substituted by CloudFormation with its function's ARN.
        """
        prefix = camel_case(workflow.name)
        name = f"{APP_NAME}-{self.stage}-{workflow.name}"  # as the local stack names it
        machine_arn = self.format_arn(
            service="states", resource="stateMachine", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        executions_arn = self.format_arn(
            service="states", resource="execution", resource_name=f"{name}:*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        function_logs = self._log_group(f"{prefix}Logs")
        function_role = self._workflow_function_role(workflow, function_logs, machine_arn)
        functions = {
            task.placeholder: self._function(
                camel_case(task.name),
                function_name=f"{APP_NAME}-{self.stage}-{task.name}",  # as the local stack names it
                description=f"{workflow.name} workflow step {task.handler.rsplit('.', 1)[-1]}",
                handler=task.handler,
                role=function_role,
                log_group=function_logs,
                # A step reads the case, decides, writes one transaction (retried on conflict).
                timeout=Duration.seconds(30),
                memory_size=512,
                environment=self.base_environment,
            )
            for task in workflow.functions
        }
        placeholders = workflow.placeholders()
        if placeholders != set(functions):
            raise ValueError(
                f"{workflow.definition.name}: placeholders without a function {sorted(placeholders - set(functions))}, "
                f"functions the definition never calls {sorted(set(functions) - placeholders)}"
            )
        machine_logs = self._log_group(f"{prefix}StateMachineLogs")
        machine_role = self._state_machine_role(workflow, list(functions.values()))
        machine = sfn.StateMachine(
            self,
            f"{prefix}StateMachine",
            state_machine_name=name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(workflow.definition)),
            definition_substitutions={
                PARTITION: Aws.PARTITION,
                **{placeholder: function.function_arn for placeholder, function in functions.items()},
            },
            # Immutable: the inline policy already has what CDK would add (log delivery, X-Ray)
            # as a separate policy resource.
            role=machine_role.without_policy_updates(),
            # Every state transition (cdk-nag SF1), without inputs and outputs: they carry case
            # and order ids, never personal data, but the table is where a run's data lives.
            logs=sfn.LogOptions(destination=machine_logs, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        return DeployedWorkflow(
            workflow=workflow,
            state_machine_name=name,
            state_machine_arn=machine_arn,
            executions_arn=executions_arn,
            function_role=function_role,
            function_logs=function_logs,
            functions=functions,
            state_machine_role=machine_role,
            state_machine_logs=machine_logs,
            state_machine=machine,
        )

    def _workflow_function_role(self, workflow: Workflow, log_group: logs.ILogGroup, machine_arn: str) -> iam.Role:
        """The role all task functions of a workflow share (chalicelib.services.rescue_steps): read
        the case and the trucks, write the case's transaction (order, trucks, audit, outbox
        notices), answer their own waiting task."""
        statements = [
            *self._case_step_statements(),
            iam.PolicyStatement(
                # standby trucks by geohash cell (store.fleet.standby_in); no other index is read
                sid="TowTruckIndex",
                actions=["dynamodb:Query"],
                resources=[f"{self.table.table_arn}/index/{TOW_TRUCK_INDEX}"],
            ),
            iam.PolicyStatement(
                # await_milestone answers its own task when the driver's report came first. Only
                # success: no step reports a task failure. On the machine's ARN formatted from its
                # name (a Ref would be a cycle: machine -> functions -> this role -> machine).
                sid="AnswerOwnTask",
                actions=["states:SendTaskSuccess"],
                resources=[machine_arn],
            ),
        ]
        role = self._function_role(
            f"{camel_case(workflow.name)}Role",
            f"execution role of the {workflow.name} workflow's functions",
            workflow.name,
            log_group,
            statements,
        )
        return role

    def _case_step_statements(self) -> list[iam.PolicyStatement]:
        """What a workflow step does to the table (chalicelib.services.rescue_steps), shared by the
        task functions and the rescue sweeper (which runs the compensation, `release_truck`)."""
        return [
            iam.PolicyStatement(
                # the case (Query on its partition), a truck (GetItem), the case's TransactWriteItems
                # (Put of every item, conditioned); no Scan, no Update, no Delete
                sid="TableItems",
                actions=["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                resources=[self.table.table_arn],
            ),
            self._table_data_key(),
        ]

    def _rescue_sweeper_role(self, deployed: DeployedWorkflow) -> iam.Role:
        """The sweeper's role (chalicelib.services.rescue_steps.release_orphans): find open orders
        through the dispatch queue index, read their runs' status, and run the compensation with
        exactly the task functions' table access. It never starts, stops or answers a run."""
        statements = [
            *self._case_step_statements(),
            iam.PolicyStatement(
                # open orders per jurisdiction and status (`RESCUEQ#<unit>#<status>`)
                sid="RescueQueueIndex",
                actions=["dynamodb:Query"],
                resources=[f"{self.table.table_arn}/index/{RESCUE_QUEUE_INDEX}"],
            ),
            iam.PolicyStatement(
                # is the order's run still RUNNING? Only the runs of this state machine.
                sid="RunStatus",
                actions=["states:DescribeExecution"],
                resources=[deployed.executions_arn],
            ),
        ]
        role = self._function_role(
            "RescueSweeperRole",
            "execution role of the rescue sweeper",
            "rescue-sweeper",
            self.rescue_sweeper_log_group,
            statements,
        )
        self._acknowledge_runs(role, deployed, "the sweeper only reads their status (DescribeExecution)")
        return role

    def _rescue_sweeper(self, deployed: DeployedWorkflow) -> lambda_.Function:
        """`functions/rescue_sweeper`: one sweep at a time, every 5 minutes."""
        return self._scheduled_function(
            "RescueSweeper",
            every=Duration.minutes(5),
            function_name=f"{APP_NAME}-{self.stage}-rescue-sweeper",  # as the workflow's functions are named
            description="end rescue orders whose workflow run is not running",
            handler=RESCUE_SWEEPER_HANDLER,
            role=self.rescue_sweeper_role,
            log_group=self.rescue_sweeper_log_group,
            # a Query per unit and open status, a DescribeExecution and maybe a transaction per order
            timeout=Duration.seconds(120),
            environment={
                **self.base_environment,
                # Without it release_orphans would take every open order for orphaned.
                "RESCUE_STATE_MACHINE_ARN": deployed.state_machine.state_machine_arn,
            },
        )

    def _state_machine_role(self, workflow: Workflow, functions: list[lambda_.Function]) -> iam.Role:
        """The state machine's role: invoke exactly its task functions, deliver its logs, trace."""
        role = iam.Role(
            self,
            f"{camel_case(workflow.name)}StateMachineRole",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"{APP_NAME} {self.stage}: role of the {workflow.name} state machine",
            inline_policies={
                f"{workflow.name}-state-machine": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            # unqualified ARNs, as the definition names them: no versions or aliases
                            sid="InvokeTasks",
                            actions=["lambda:InvokeFunction"],
                            resources=[function.function_arn for function in functions],
                        ),
                        iam.PolicyStatement(
                            # CloudWatch Logs vended delivery: these actions take no resource ARN
                            sid="LogDelivery",
                            actions=[
                                "logs:CreateLogDelivery",
                                "logs:GetLogDelivery",
                                "logs:UpdateLogDelivery",
                                "logs:DeleteLogDelivery",
                                "logs:ListLogDeliveries",
                                "logs:PutResourcePolicy",
                                "logs:DescribeResourcePolicies",
                                "logs:DescribeLogGroups",
                            ],
                            resources=["*"],
                        ),
                        iam.PolicyStatement(
                            sid="Tracing",
                            actions=[
                                "xray:PutTraceSegments",
                                "xray:PutTelemetryRecords",
                                "xray:GetSamplingRules",
                                "xray:GetSamplingTargets",
                            ],
                            resources=["*"],
                        ),
                    ]
                )
            },
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Resource '*' only for what supports no resource-level permissions: CloudWatch Logs "
            "vended log delivery (Create/Get/Update/Delete/ListLogDeliveries, Put/DescribeResourcePolicies, "
            "DescribeLogGroups), which Step Functions needs to log to its log group, and X-Ray tracing.",
        )
        return role

    def _api(self, project_root: Path) -> Chalice:
        stage_config: dict[str, Any] = {
            "api_gateway_stage": API_GATEWAY_STAGE,
            "api_gateway_endpoint_type": "REGIONAL",
            "manage_iam_role": False,
            "iam_role_arn": self.api_role.role_arn,
            "autogen_policy": False,
            "automatic_layer": False,
            "xray": True,
            "lambda_timeout": 29,  # API Gateway gives up after 29 s
            "lambda_memory_size": 1024,
            "environment_variables": {
                **self.base_environment,
                "EVIDENCE_BUCKET": self.evidence.bucket_name,
                "DOCUMENTS_BUCKET": self.documents.bucket_name,
                "APP_SECRETS_ID": self.app_secrets.secret_arn,
                "INSURER_SECRET_PREFIX": self.insurer_secret_prefix,
                "PUBLIC_BASE_URL": self.public_base_url.value_as_string,
                **self.messaging_environment,
                # RESCUE_STATE_MACHINE_ARN, ...: a Ref, so the API is created after the machine
                **{
                    f"{name.upper()}_STATE_MACHINE_ARN": deployed.state_machine.state_machine_arn
                    for name, deployed in self.workflows.items()
                },
            },
        }
        if self.layer is not None:
            stage_config["layers"] = [self.layer.layer_version_arn]
        api = IsolatedChalice(self, "Api", source_dir=str(project_root), stage_config=stage_config)

        handler = api.get_resource(API_HANDLER)
        # Chalice takes the runtime from the interpreter running the synth: pin it.
        handler.add_property_override("Runtime", LAMBDA_RUNTIME.name)
        handler.add_property_override("Architectures", [LAMBDA_ARCHITECTURE.name])
        # Logs go to our log group (retention, and the role may write only there).
        handler.add_property_override("LoggingConfig", {"LogGroup": self.api_log_group.log_group_name})

        rest_api = api.get_resource(REST_API)
        rest_api.add_property_override("Name", self.api_name)
        rest_api.add_property_override("TracingEnabled", True)
        rest_api.add_property_override(
            "MethodSettings",
            [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 200, "ThrottlingBurstLimit": 400}],
        )
        return api

    @property
    def api_name(self) -> str:
        return f"{APP_NAME}-{self.stage}"

    # --- alarms ------------------------------------------------------------------------------

    def _alarm_topic(self) -> sns.Topic:
        # CloudWatch cannot publish to a topic under the AWS-managed SNS key: it gets its own.
        key = kms.Key(
            self,
            "AlarmKey",
            description=f"{APP_NAME} {self.stage}: alarm topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey")
        return sns.Topic(
            self,
            "Alarms",
            display_name=f"{APP_NAME} {self.stage} alarms",
            master_key=key,
            enforce_ssl=True,
        )

    def _alarms(self) -> None:
        action = cloudwatch_actions.SnsAction(self.alarm_topic)
        period = Duration.minutes(5)
        function_name = self.api.get_resource(API_HANDLER).ref

        def lambda_metric(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name=name,
                dimensions_map={"FunctionName": function_name},
                statistic="Sum",
                period=period,
            )

        def alarm(construct_id: str, description: str, metric: cloudwatch.IMetric, threshold: float) -> None:
            created = cloudwatch.Alarm(
                self,
                construct_id,
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            created.add_alarm_action(action)
            created.add_ok_action(action)

        # Chalice turns exceptions in routes into 500 replies, so Lambda `Errors` counts crashes,
        # timeouts and init failures; the API's 5XX alarm counts the 500 replies.
        alarm("ApiHandlerErrors", "API Lambda failed (crash, timeout, init error)", lambda_metric("Errors"), 1)
        alarm("ApiHandlerThrottles", "API Lambda throttled", lambda_metric("Throttles"), 1)
        # A failed run (crash, timeout, init error, e.g. a missing secret permission) delays every
        # insurer's webhooks; failed deliveries themselves are retried and logged, not errors.
        alarm(
            "DelivererErrors",
            "Webhook deliverer failed (crash, timeout, init error)",
            self.deliverer.metric_errors(period=period, statistic="Sum"),
            1,
        )
        # A failed sweep (crash, timeout, e.g. a DescribeExecution refused) leaves orphaned orders
        # open and their trucks reserved until a sweep succeeds.
        alarm(
            "RescueSweeperErrors",
            "Rescue sweeper failed (crash, timeout, init error): orphaned orders may keep trucks reserved",
            self.rescue_sweeper.metric_errors(period=period, statistic="Sum"),
            1,
        )
        for deployed in self.workflows.values():
            prefix = camel_case(deployed.workflow.name)
            # A run ends failed only through the compensation: the order ended FAILED (truck
            # released) or, worse, CompensationFailed (a truck may still be held: free it by hand).
            alarm(
                f"{prefix}ExecutionsFailed",
                f"{deployed.workflow.name} run failed (order FAILED, or CompensationFailed: a truck may be stuck)",
                deployed.state_machine.metric_failed(period=period, statistic="Sum"),
                1,
            )
        alarm(
            "Api5xx",
            "API answered 5xx",
            cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map={"ApiName": self.api_name, "Stage": API_GATEWAY_STAGE},
                statistic="Sum",
                period=period,
            ),
            5,
        )

        def table_metric(name: str, index: str | None = None) -> cloudwatch.Metric:
            dimensions = {"TableName": self.table.table_name}
            if index:
                dimensions["GlobalSecondaryIndexName"] = index
            return cloudwatch.Metric(namespace="AWS/DynamoDB", metric_name=name, dimensions_map=dimensions, statistic="Sum", period=period)

        def throttles(index: str | None = None) -> cloudwatch.MathExpression:
            return cloudwatch.MathExpression(
                expression="reads + writes",
                using_metrics={
                    "reads": table_metric("ReadThrottleEvents", index),
                    "writes": table_metric("WriteThrottleEvents", index),
                },
                period=period,
                label="throttle events",
            )

        alarm("TableThrottles", "DynamoDB table throttled", throttles(), 1)
        for name in self.index_names:
            alarm(f"TableThrottles{name.capitalize()}", f"DynamoDB index {name} throttled", throttles(name), 1)
