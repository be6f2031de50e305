"""`YunchetongStack`: every AWS resource of the backend in one stack, one construct per capability
(see docs/decisions/0003-aws-deployment.md for the reasons):

- `Parameters` (parameters.py): the public base URL and the WeChat official account;
- `Storage` (storage.py): the data key, the table, the evidence and documents buckets;
- `Secrets` (secrets.py): the app secret and the prefix of the insurers' signing secrets;
- `Compute` (compute.py): the code asset, the dependency layer and the environment of our functions;
- `DeployedWorkflow` (workflow.py): each workflow of `infra.workflows.WORKFLOWS` (the rescue);
  `FundWorkflow` (fund.py): the road rescue fund's review run, with its narrower function role;
  `MedicalWorkflow` (medical.py): the injury direct-pay workflow, as narrow;
- `Api` (api.py): the Chalice API; `Delivery` (delivery.py): the outbox deliverer;
- `RescueSweeper` (rescue_sweeper.py): ends rescue orders whose run is not running;
- `CalendarCheck` (calendar_check.py): publishes whether next year's working-day calendar is missing;
- `MediationSweeper` (mediation_sweeper.py): terminates mediations past their 10 working days;
- `RoomLive` (room_live.py): the case rooms' WebSocket API and the push of new messages;
- `RoomVideo` (room_video.py): Chime SDK video for the rooms, the recording's writer and recorder;
- `WeChatEgress` (wechat_egress.py): the WeChat token refresher in a VPC behind a NAT's Elastic IP;
- `Monitoring` (monitoring.py): alarms on an encrypted SNS topic;
- `Identity` (identity.py): the Cognito user pool for staff and partner sign-in (ADR 0025);
- `ApiFirewall` (api_firewall.py): the API stage's REGIONAL web ACL (ADR 0031);
- `Pages` (pages.py): `web/` in a private bucket, one CloudFront distribution for pages and API
  (outside `aws-cn`), the custom domain and WeChat's verification file (ADR 0031);
- `Reports` (reports.py): the daily and monthly report functions on Asia/Shanghai schedules (ADR 0028);
  `ReportRebuild` (report_rebuild.py): the figures' repair run, invoked by an operator (ADR 0027);
- `ReferenceData` (reference_data.py): the data migration, a custom resource loading the reference data.

Each construct hands out grants (`storage.grant_evidence_upload(role)`, `workflow.grant_start(role)`,
...) to the roles of the others; nothing reaches into another construct's resources. The
capabilities' ids stay out of the logical ids (`common.capability_logical_id`).

Nothing here names an account, a region or an ARN: the template is environment-agnostic and
synthesises offline. cdk-nag (AwsSolutions) is applied in `infra/cdk/app.py`; every finding we
accept is acknowledged next to the resource with its reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnElement, CfnOutput, Fn, Stack, Tags, Token
from aws_cdk.region_info import RegionInfo
from constructs import Construct

from infra.cdk.api import REST_API, Api
from infra.cdk.api_firewall import ApiFirewall
from infra.cdk.calendar_check import CalendarCheck
from infra.cdk.common import APP_NAME, camel_case, capability_logical_id
from infra.cdk.compute import FUNCTION_CODE_EXCLUDE, Compute, function_code
from infra.cdk.delivery import Delivery
from infra.cdk.fund import FundWorkflow
from infra.cdk.identity import Identity, insurer_codes
from infra.cdk.mediation_sweeper import MediationSweeper
from infra.cdk.medical import MedicalWorkflow
from infra.cdk.monitoring import Monitoring
from infra.cdk.pages import HostedSignIn, Pages
from infra.cdk.parameters import Parameters
from infra.cdk.reference_data import ReferenceData
from infra.cdk.report_rebuild import ReportRebuild
from infra.cdk.reports import Reports
from infra.cdk.rescue_sweeper import RescueSweeper
from infra.cdk.room_live import RoomLive
from infra.cdk.room_video import RoomVideo
from infra.cdk.secrets import Secrets
from infra.cdk.storage import Storage
from infra.cdk.wechat_egress import WeChatEgress
from infra.cdk.workflow import DeployedWorkflow
from infra.workflows import FUND, MEDICAL, RESCUE, WORKFLOWS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
__all__ = ["FUNCTION_CODE_EXCLUDE", "PROJECT_ROOT", "DeployedWorkflow", "YunchetongStack", "function_code"]
# A workflow deployed by its own construct (its narrower function role); the rest by DeployedWorkflow.
DEPLOYMENTS: dict[str, type[DeployedWorkflow]] = {FUND.name: FundWorkflow, MEDICAL.name: MedicalWorkflow}


class YunchetongStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str = "dev",
        project_root: Path = PROJECT_ROOT,
        layer_dir: Path | None = None,
        require_layer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        Tags.of(self).add("project", APP_NAME)
        Tags.of(self).add("stage", stage)

        self.parameters = Parameters(self, "Parameters", stage=stage)
        self.storage = Storage(self, "Storage", stage=stage, public_origin=self.parameters.public_origin)
        self.secrets = Secrets(self, "Secrets", stage=stage, encryption_key=self.storage.data_key)
        self.compute = Compute(
            self,
            "Compute",
            stage=stage,
            project_root=project_root,
            layer_dir=layer_dir or project_root / "layers",
            table_name=self.storage.table.table_name,
            require_layer=require_layer,
        )
        # Before the API and the sweeper: their environments name the state machines.
        self.workflows = {
            workflow.name: DEPLOYMENTS.get(workflow.name, DeployedWorkflow)(
                self, camel_case(workflow.name), stage=stage, workflow=workflow, storage=self.storage, compute=self.compute
            )
            for workflow in WORKFLOWS
        }
        workflows = list(self.workflows.values())
        # Cognito user pools do not exist in the aws-cn partition (ADR 0031): no staff sign-in there yet.
        self.identity = (
            Identity(self, "Identity", stage=stage, public_base_url=self.parameters.public_base_url, insurers=insurer_codes(project_root))
            if self.partition_name == "aws"
            else None
        )
        self.api = Api(
            self,
            "Api",
            stage=stage,
            project_root=project_root,
            storage=self.storage,
            secrets=self.secrets,
            workflows=workflows,
            parameters=self.parameters,
            compute=self.compute,
            identity=self.identity,
            # SnapStart is not listed for the China regions (ADR 0037): the API invokes $LATEST there.
            snap_start=self.partition_name == "aws",
        )
        self.delivery = Delivery(
            self, "Delivery", stage=stage, storage=self.storage, secrets=self.secrets, parameters=self.parameters, compute=self.compute
        )
        self.rescue_sweeper = RescueSweeper(
            self, "RescueSweeper", stage=stage, storage=self.storage, rescue=self.workflows[RESCUE.name], compute=self.compute
        )
        self.calendar_check = CalendarCheck(self, "CalendarCheck", stage=stage, storage=self.storage, compute=self.compute)
        # The fixed address WeChat whitelists: the token refresher in a VPC behind a NAT's Elastic IP (ADR 0034).
        self.wechat_egress = WeChatEgress(
            self, "WeChatEgress", stage=stage, storage=self.storage, secrets=self.secrets, parameters=self.parameters, compute=self.compute
        )
        self.mediation_sweeper = MediationSweeper(
            self, "MediationSweeper", stage=stage, storage=self.storage, parameters=self.parameters, compute=self.compute
        )
        # Scheduled reports: their functions, schedules and roles (Monitoring alarms on their failures).
        self.reports = Reports(self, "Reports", stage=stage, storage=self.storage, compute=self.compute)
        # The figures' repair run, invoked by an operator (README, Reports; ADR 0027).
        self.report_rebuild = ReportRebuild(self, "ReportRebuild", stage=stage, storage=self.storage, compute=self.compute)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            api=self.api,
            delivery=self.delivery,
            rescue_sweeper=self.rescue_sweeper,
            workflows=workflows,
            storage=self.storage,
            calendar_check=self.calendar_check,
            mediation_sweeper=self.mediation_sweeper,
            reports=self.reports,
            wechat_egress=self.wechat_egress,
            report_rebuild=self.report_rebuild,
        )

        # The case rooms' live feed: WebSocket API, connection functions, push on the table's stream.
        self.room_live = RoomLive(self, "RoomLive", stage=stage, storage=self.storage, secrets=self.secrets, compute=self.compute)
        CfnOutput(self, "RoomSocketUrl", value=self.room_live.socket_stage.url)
        # The case rooms' video: Chime SDK permissions, the recording's writer and its recorder.
        self.room_video = RoomVideo(self, "RoomVideo", stage=stage, storage=self.storage, compute=self.compute, api=self.api)

        # The reference data (insurers, hospitals, fleet, staff, service points): /health is 200 once loaded.
        self.reference_data = ReferenceData(
            self, "ReferenceData", stage=stage, storage=self.storage, compute=self.compute, project_root=project_root
        )

        CfnOutput(self, "TableName", value=self.storage.table.table_name)
        CfnOutput(self, "EvidenceBucketName", value=self.storage.evidence.bucket_name)
        CfnOutput(self, "DocumentsBucketName", value=self.storage.documents.bucket_name)
        CfnOutput(self, "AppSecretsId", value=self.secrets.app_secrets.secret_arn)
        CfnOutput(
            self,
            "InsurerSecretPrefix",
            value=self.secrets.insurer_secret_prefix,
            description="Create each insurer's signing secret as <prefix>/<insurerCode>",
        )
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.alarm_topic.topic_arn)
        if self.identity is not None:
            CfnOutput(self, "UserPoolId", value=self.identity.user_pool.user_pool_id)
            CfnOutput(self, "SignInIssuer", value=self.identity.environment["COGNITO_ISSUER"])
            CfnOutput(self, "SignInDomain", value=self.identity.domain.domain_name, description="<domain>.auth.<region>.amazoncognito.com")
            CfnOutput(self, "StaffSignInClientId", value=self.identity.sign_in_client.user_pool_client_id)
        CfnOutput(self, "ReportsBucketName", value=self.storage.reports.bucket_name)
        CfnOutput(
            self,
            "ReportRebuildFunctionName",
            value=self.report_rebuild.function.function_name,
            description='aws lambda invoke --function-name <this> --payload \'{"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}\' out.json',
        )
        CfnOutput(
            self,
            "WeChatEgressAddress",
            value=self.wechat_egress.egress_address,
            description="Add to the official account's IP whitelist (mp.weixin.qq.com: 设置与开发 > 基本配置 > IP白名单)",
        )
        self._edge(project_root)

    @property
    def partition_name(self) -> str:
        """`aws-cn` when synthesised for a China region (`-c region=cn-...`), else `aws`."""
        if Token.is_unresolved(self.region):
            return "aws"
        return RegionInfo.get(self.region).partition or "aws"

    def _edge(self, project_root: Path) -> None:
        """The API's firewall and the pages; CloudFront only where it is the global service (ADR 0031)."""
        self.api_firewall = ApiFirewall(self, "ApiFirewall", stage=self.stage, rest_api=REST_API)
        self.pages = Pages(
            self,
            "Pages",
            stage=self.stage,
            web_root=project_root / "web",
            access_logs=self.storage.access_logs,
            public_base_url=self.parameters.public_base_url,
            api_domain=Fn.join(".", [self.api.rest_api_id, "execute-api", self.region, self.url_suffix]),
            presigned_origins=[Fn.join("", ["https://s3.", self.region, ".", self.url_suffix])],
            edge=self.partition_name == "aws",
            # The pool's domain and staff client written into the sign-in page (none in aws-cn, ADR 0029).
            hosted_sign_in=HostedSignIn(self.identity.domain.base_url(), self.identity.sign_in_client.user_pool_client_id)
            if self.identity is not None
            else None,
        )
        CfnOutput(self, "PagesBucketName", value=self.pages.bucket.bucket_name)
        if self.identity is not None and self.pages.sign_in_url is not None:
            self.identity.sign_in_at(self.pages.sign_in_url)
        if self.pages.site_url is not None:
            CfnOutput(self, "SiteUrl", value=self.pages.site_url, description="pages at /, the API at /api; PublicBaseUrl should name it")
        if self.pages.distribution is not None:
            CfnOutput(self, "DistributionDomainName", value=self.pages.distribution.distribution_domain_name,
                      description="the CNAME target of DomainName")

    def _allocate_logical_id(self, cfn_element: CfnElement) -> str:
        # The capabilities group resources without renaming them: a new logical id would replace
        # the table, the buckets, the keys and the secrets (and the named functions and machine).
        return capability_logical_id(cfn_element)
