"""`Api`: the Chalice API (through `chalice.cdk`) running as a least-privilege role we own, with
its log group; the other capabilities' grants say what it may do with their resources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from aws_cdk import CfnResource, Duration, Fn, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from chalice.cdk import Chalice
from constructs import Construct

from infra import lambda_package
from infra.cdk.common import APP_NAME, Capability, acknowledge, log_group
from infra.cdk.compute import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, Compute, FunctionRole
from infra.cdk.identity import Identity
from infra.cdk.parameters import Parameters
from infra.cdk.secrets import Secrets
from infra.cdk.storage import KEY_USE, Storage
from infra.cdk.workflow import DeployedWorkflow

API_GATEWAY_STAGE = "api"
# Chalice names the handler of all HTTP routes `APIHandler` and the API `RestAPI` in its SAM output.
API_HANDLER = "APIHandler"
REST_API = "RestAPI"
# ... and API Gateway's permission to invoke it `APIHandlerInvokePermission`.
INVOKE_PERMISSION = "APIHandlerInvokePermission"
# SnapStart snapshots published versions only: API Gateway invokes the alias SAM keeps on the latest
# (SAM names the alias resource `<function>Alias<alias>`).
SNAP_START_ALIAS = "live"
ALIAS_LOGICAL_ID = f"{API_HANDLER}Alias{SNAP_START_ALIAS}"
# `-c publishTag=<deploy time>` (make deploy): SAM publishes a version when its hash inputs change,
# and stack parameters are not among them; the tag is, so every deploy publishes (ADR 0037).
PUBLISH_TAG_CONTEXT = "publishTag"
# One JSON line per request; the route template, not the path (no ids, no query strings, no tokens).
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "time": "$context.requestTimeEpoch",
        "method": "$context.httpMethod",
        "route": "$context.resourcePath",
        "status": "$context.status",
        "bytes": "$context.responseLength",
        "latencyMs": "$context.responseLatency",
        "integrationLatencyMs": "$context.integrationLatency",
        "wafStatus": "$context.waf.status",
    },
    separators=(",", ":"),
)


def _invocation_uri(function_arn: str) -> dict[str, str]:
    """How chalice's swagger names the function each route invokes."""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{function_arn}/invocations"}


class IsolatedChalice(Chalice):
    """`chalice.cdk.Chalice` that runs `chalice package` in a child process, on a clean copy.

    - Child process: packaging imports the project's `app.py` and copies the stage's environment
      variables (and `AWS_EXECUTION_ENV`) into `os.environ` of the process running it; in the
      synth process that would leak placeholders such as `TABLE_NAME=${Token[...]}` into whatever
      runs next (other tests of the same pytest session) and import the app under a fake Lambda
      environment.
    - Clean copy: chalice caches its zip under `<project>/.chalice/deployments/` and zips every
      file of `chalicelib/`, `__pycache__` included; packaging a copy keeps the working tree
      untouched, and the copy's bytecode is written afresh, `unchecked-hash`, so the package is
      reproducible and a cold start compiles none of our modules (`infra/lambda_package.py`, ADR 0039).
    - Stage: chalice names it after the construct's parent (the `aws-chalice` tag, the stage of
      `.chalice/config.json`); it stays the stack's whichever capability holds the API.
    Everything else (assets, `CfnInclude` of the SAM output) is chalice's own.
    """

    _PACKAGE = "import json, sys; from chalice import api; api.package_app(**json.loads(sys.argv[1]))"

    def packaged_resource(self, logical_id: str) -> dict[str, Any]:
        """A resource as `chalice package` wrote it, plain JSON (CfnInclude's copy holds tokens)."""
        template = json.loads((Path(self._sam_package_dir) / "sam.json").read_text())
        resource: dict[str, Any] = template["Resources"][logical_id]
        return resource

    def _package_app(self) -> None:
        self.stage_name = Stack.of(self).node.path
        with tempfile.TemporaryDirectory(prefix="chalice-source-") as scratch:
            source = Path(scratch) / "project"
            lambda_package.copy_sources(Path(self.source_dir), source)
            lambda_package.compile_package(source, source / "vendor" / "__pycache__")
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


class Api(Capability):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        project_root: Path,
        storage: Storage,
        secrets: Secrets,
        workflows: list[DeployedWorkflow],
        parameters: Parameters,
        compute: Compute,
        identity: Identity | None,
        snap_start: bool = True,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.snap_start = snap_start
        self.name = f"{APP_NAME}-{stage}"
        self.log_group = log_group(self, "ApiLogs")
        self.role = self._role(storage, secrets, workflows)
        self.role.allow_running_functions()
        stage_config: dict[str, Any] = {
            "api_gateway_stage": API_GATEWAY_STAGE,
            "api_gateway_endpoint_type": "REGIONAL",
            "manage_iam_role": False,
            "iam_role_arn": self.role.role_arn,
            "autogen_policy": False,
            "automatic_layer": False,
            "xray": True,
            "lambda_timeout": 29,  # API Gateway gives up after 29 s
            "lambda_memory_size": 1024,
            "environment_variables": {
                **compute.base_environment,
                **storage.bucket_environment,
                **storage.reports_environment,
                **secrets.environment,
                **secrets.medical_qr_environment,
                **parameters.environment,
                **(identity.environment if identity else {}),
                # each workflow's machine, as a Ref: the API is created after the machines
                **{name: arn for workflow in workflows for name, arn in workflow.environment.items()},
            },
        }
        if compute.layer is not None:
            stage_config["layers"] = [compute.layer.layer_version_arn]
        self.app = IsolatedChalice(self, "Api", source_dir=str(project_root), stage_config=stage_config)

        handler = self.app.get_resource(API_HANDLER)
        # Chalice takes the runtime from the interpreter running the synth: pin it.
        handler.add_property_override("Runtime", LAMBDA_RUNTIME.name)
        handler.add_property_override("Architectures", [LAMBDA_ARCHITECTURE.name])
        # Logs go to our log group (retention, and the role may write only there).
        handler.add_property_override("LoggingConfig", {"LogGroup": self.log_group.log_group_name})

        rest_api = self.app.get_resource(REST_API)
        rest_api.add_property_override("Name", self.name)
        rest_api.add_property_override("TracingEnabled", True)
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": 200,
                    "ThrottlingBurstLimit": 400,
                    "LoggingLevel": "ERROR",  # execution logs of failures only; never request bodies
                    "DataTraceEnabled": False,
                    "MetricsEnabled": True,
                }
            ],
        )
        self.access_logs = log_group(self, "ApiAccessLogs")
        rest_api.add_property_override("AccessLogSetting", {"DestinationArn": self.access_logs.log_group_arn, "Format": ACCESS_LOG_FORMAT})
        # API Gateway writes both kinds of logs through the region's account-level role: the stage
        # is created only once that role is set.
        rest_api.add_resource_dependency(self._gateway_logging_account())
        self.rest_api_id = rest_api.ref
        if snap_start:
            self._invoke_snap_started_alias(handler, rest_api)

    def _invoke_snap_started_alias(self, handler: CfnResource, rest_api: CfnResource) -> None:
        """SnapStart on a version published at each deploy, behind the alias API Gateway invokes (ADR 0037)."""
        handler.add_property_override("AutoPublishAlias", SNAP_START_ALIAS)
        # A new version whenever any property changes (the environment too), not only the code.
        handler.add_property_override("AutoPublishAliasAllProperties", True)
        handler.add_property_override("SnapStart", {"ApplyOn": "PublishedVersions"})
        # SAM hashes this with the code into the version's identity: a new tag, a new version, so a
        # deploy that changes only a parameter (PublicBaseUrl, the WeChat values) still moves `live`.
        if publish_tag := self.node.try_get_context(PUBLISH_TAG_CONTEXT):
            handler.add_property_override("AutoPublishCodeSha256", str(publish_tag))
        body = json.dumps(self.app.packaged_resource(REST_API)["Properties"]["DefinitionBody"])
        unqualified = json.dumps(_invocation_uri(f"${{{API_HANDLER}.Arn}}"))
        if unqualified not in body:
            raise RuntimeError(f"chalice's swagger no longer invokes {unqualified}: point its integrations at the alias anew")
        # The alias's ARN is the function's qualified by the alias name: plain references that
        # cfn-lint and cdk-nag resolve (SAM's `APIHandler.Alias` is known to one of them only).
        alias_arn = f"${{{API_HANDLER}.Arn}}:{SNAP_START_ALIAS}"
        rest_api.add_property_override("DefinitionBody", json.loads(body.replace(unqualified, json.dumps(_invocation_uri(alias_arn)))))
        permission = self.app.get_resource(INVOKE_PERMISSION)
        permission.add_property_override("FunctionName", {"Fn::Sub": alias_arn})
        permission.add_override("DependsOn", [ALIAS_LOGICAL_ID])  # the alias exists before it is granted

    def _gateway_logging_account(self) -> apigateway.CfnAccount:
        """The region's API Gateway setting naming the role that writes its logs (one per account
        and region: a stack deploying it replaces the role another stack may have set)."""
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description=self.describe("API Gateway writes the API's access and execution logs"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")],
        )
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "AmazonAPIGatewayPushToCloudWatchLogs is AWS's own policy for API Gateway's account-level logging role, "
            "kept current by AWS; API Gateway names the execution log groups itself.",
        )
        self.gateway_logs_role = role
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        account.node.add_dependency(role)
        return account

    # --- metrics ---------------------------------------------------------------------------

    def metric_handler(self, name: str, period: Duration) -> cloudwatch.Metric:
        """A Lambda metric (Errors, Throttles, ...) of the function behind every route: of its alias
        where API Gateway invokes one (`Resource` is `<function>:<alias>`)."""
        function_name = self.app.get_resource(API_HANDLER).ref
        dimensions = {"FunctionName": function_name}
        if self.snap_start:
            dimensions["Resource"] = Fn.join(":", [function_name, SNAP_START_ALIAS])
        return cloudwatch.Metric(
            namespace="AWS/Lambda",
            metric_name=name,
            dimensions_map=dimensions,
            statistic="Sum",
            period=period,
        )

    def metric_5xx(self, period: Duration) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name="5XXError",
            dimensions_map={"ApiName": self.name, "Stage": API_GATEWAY_STAGE},
            statistic="Sum",
            period=period,
        )

    # --- role ------------------------------------------------------------------------------

    def _role(self, storage: Storage, secrets: Secrets, workflows: list[DeployedWorkflow]) -> FunctionRole:
        """Exactly what the app does, on exactly our resources."""
        role = FunctionRole(self, "ApiRole", purpose="execution role of the Chalice API", policy_name="api", log_group=self.log_group)
        storage.grant_table_items(
            role,
            "dynamodb:DescribeTable",  # PynamoDB reads the table description once
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",  # TransactWriteItems condition checks
        )
        storage.grant_index_query(role, "TableIndexes")
        storage.grant_evidence_upload(role)
        storage.grant_documents_issue(role)
        storage.grant_reports_publish(role)  # POST /admin/reports publishes, GET /portal/reports presigns
        storage.grant_data_key(role, "DataKey", KEY_USE, "dynamodb", "s3", "secretsmanager")
        secrets.grant_app_secret_read(role)
        secrets.grant_insurer_secrets_rotate(role)
        secrets.grant_medical_qr_keys_read(role)
        # start a run, stop (cancel) one, answer a waiting step (a driver's answer to an offer,
        # an arrival or completion report)
        for workflow in workflows:
            workflow.grant_start(role)
            workflow.grant_stop(role)
            workflow.grant_task_response(role)
            workflow.accept_every_run(role, "the API only stops them (cancelling an order)")
        return role
