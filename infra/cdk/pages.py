"""`Pages`: the pages of `web/` in a private bucket, and (outside `aws-cn`) one CloudFront
distribution serving them with the API under `/api/*`, so pages and API share an origin (no CORS,
one cookie and path scope). See docs/decisions/0031-pages-and-api-behind-one-distribution.md.

- Bucket: private (origin access control only), SSE-S3, versioned, TLS only, access-logged.
- The deployment copies `web/` with every page's API base set to `/api` (`infra.web_pages`); with a
  user pool it writes the sign-in page again naming the pool's domain and staff client (deploy-time
  values), else the page says that only a pasted token signs in (aws-cn, ADR 0029).
- The viewer-request function answers a page path with its HTML file (the table of
  `infra.web_pages`, shared with the local stack) and WeChat's domain verification file.
- `/api/*` goes to API Gateway unchanged: the stage is named `api`, so `/api/cases/1` at the edge
  is resource `/cases/1` of stage `api` at the origin (no origin path), never cached.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import (
    BundlingOptions,
    CfnCondition,
    CfnParameter,
    CfnRule,
    DefaultStackSynthesizer,
    DockerImage,
    Duration,
    Fn,
    ILocalBundling,
    RemovalPolicy,
    Stack,
)
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra.cdk.common import Capability, acknowledge, nag_resource
from infra.web_pages import (
    DEPLOYED_API_BASE,
    PAGE_ROUTES,
    SIGN_IN_PAGE,
    content_security_policy,
    with_api_base,
    with_sign_in,
    without_hosted_sign_in,
)

# WeChat's domain verification: the file MP_verify_<code>.txt at the root whose content is <code>.
WECHAT_VERIFY_PREFIX = "/MP_verify_"
# Where the QR code on every document points (`letters.verify_url`): the API's /verify route.
VERIFY_PATHS = "/verify/*"
# The viewer security policy with a custom domain's certificate.
MINIMUM_TLS = "TLSv1.2_2021"


@dataclass(frozen=True)
class HostedSignIn:
    """Cognito's hosted UI for the sign-in page: the domain's base URL and the staff client id."""

    domain_url: str
    client_id: str


def deployed_page(html: str) -> str:
    """A page as the bucket holds it: the API under `/api`."""
    return with_api_base(html, DEPLOYED_API_BASE)


@jsii.implements(ILocalBundling)
class _WebWithApiBase:
    """Stages `web/` for the bucket, every HTML page naming `/api` as the API base; without a hosted
    sign-in the sign-in page says so."""

    def __init__(self, web_root: Path, *, hosted_sign_in: bool) -> None:
        self.web_root = web_root
        self.hosted_sign_in = hosted_sign_in

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: object) -> bool:
        target = Path(output_dir)
        shutil.copytree(self.web_root, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        for page in target.rglob("*.html"):
            page.write_text(deployed_page(page.read_text(encoding="utf-8")), encoding="utf-8")
        if not self.hosted_sign_in:
            sign_in = target / SIGN_IN_PAGE
            sign_in.write_text(without_hosted_sign_in(sign_in.read_text(encoding="utf-8")), encoding="utf-8")
        return True


def viewer_request_code(verification_code: str) -> str:
    """The CloudFront function: page paths to their HTML file, the WeChat verification file from its code."""
    pages = ",".join(f"[new RegExp({json.dumps(pattern)}), {json.dumps('/' + page)}]" for pattern, page in PAGE_ROUTES)
    return (
        "var PAGES = [" + pages + "];\n"
        'var VERIFY = "' + verification_code + '";\n'
        "function handler(event) {\n"
        "  var request = event.request;\n"
        f'  if (VERIFY && request.uri === "{WECHAT_VERIFY_PREFIX}" + VERIFY + ".txt") {{\n'
        '    return {statusCode: 200, statusDescription: "OK", headers: {"content-type": {value: "text/plain"}}, '
        'body: {encoding: "text", data: VERIFY}};\n'
        "  }\n"
        "  for (var i = 0; i < PAGES.length; i++) {\n"
        "    if (PAGES[i][0].test(request.uri)) { request.uri = PAGES[i][1]; break; }\n"
        "  }\n"
        "  return request;\n"
        "}\n"
    )


class Pages(Capability):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        web_root: Path,
        access_logs: s3.IBucket,
        public_base_url: str,
        api_domain: str,
        presigned_origins: list[str],
        edge: bool,
        hosted_sign_in: HostedSignIn | None = None,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.bucket = s3.Bucket(
            self,
            "PagesBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            versioned=True,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="pages/",
            lifecycle_rules=[s3.LifecycleRule(id="expire-old-page-versions", noncurrent_version_expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.distribution: cloudfront.Distribution | None = None
        self.site_url: str | None = None
        self.sign_in_url: str | None = None
        self.public_base_url = public_base_url
        self.hosted_sign_in = hosted_sign_in
        if edge:
            self._custom_domain_parameters()
            self.distribution = self._distribution(access_logs, api_domain, presigned_origins)
        self.deployment = self._deployment(web_root)

    # --- custom domain ---------------------------------------------------------------------

    def _custom_domain_parameters(self) -> None:
        self.domain_name = CfnParameter(
            self,
            "DomainName",
            type="String",
            default="",
            description="Custom domain of the pages and the API (e.g. jj.example.cn); empty: the distribution's own domain",
            allowed_pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)?$",
            constraint_description="empty or a lower-case domain name",
        )
        self.certificate_arn = CfnParameter(
            self,
            "CertificateArn",
            type="String",
            default="",
            description="ACM certificate for DomainName, requested or imported in us-east-1 (CloudFront reads certificates only there)",
            allowed_pattern=r"^(arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[A-Za-z0-9-]+)?$",
            constraint_description="empty or an ACM certificate ARN in us-east-1",
        )
        self.wechat_verification = CfnParameter(
            self,
            "WechatVerificationCode",
            type="String",
            default="",
            description="WeChat's domain verification: <code> of the file MP_verify_<code>.txt, served at the site's root",
            allowed_pattern=r"^[A-Za-z0-9]{0,32}$",
            constraint_description="empty or up to 32 letters and digits",
        )
        no_domain = Fn.condition_equals(self.domain_name.value_as_string, "")
        no_certificate = Fn.condition_equals(self.certificate_arn.value_as_string, "")
        self.has_custom_domain = CfnCondition(
            self, "HasCustomDomain", expression=Fn.condition_and(Fn.condition_not(no_domain), Fn.condition_not(no_certificate))
        )
        CfnRule(
            self,
            "DomainNeedsCertificate",
            assertions=[
                {
                    "assert": Fn.condition_or(
                        Fn.condition_and(no_domain, no_certificate),
                        Fn.condition_and(Fn.condition_not(no_domain), Fn.condition_not(no_certificate)),
                    ),
                    "assertDescription": "DomainName and CertificateArn are given together or not at all",
                }
            ],
        )

    # --- distribution ----------------------------------------------------------------------

    def _distribution(self, access_logs: s3.IBucket, api_domain: str, presigned_origins: list[str]) -> cloudfront.Distribution:
        self.edge_logs = self._edge_log_bucket(access_logs)
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "PageHeaders",
            response_headers_policy_name=self.physical_name("page-headers"),
            comment=self.describe("security headers of pages and API"),
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(
                        *presigned_origins, sign_in_origins=[self.hosted_sign_in.domain_url] if self.hosted_sign_in else []
                    ),
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, preload=True, override=True
                ),
            ),
        )
        rewrite = cloudfront.Function(
            self,
            "PagePaths",
            function_name=self.physical_name("page-paths"),
            comment=self.describe("page paths to their HTML file; WeChat domain verification"),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(viewer_request_code(self.wechat_verification.value_as_string)),
        )
        api = cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(
                api_domain,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # every header, cookie and query string but Host (API Gateway answers to its own name)
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
        )
        # The QR code on every document opens PUBLIC_BASE_URL/verify/<id> (a page for a browser, JSON
        # for a program): the API's own route, reached at the edge without `/api`. The origin path
        # puts the stage back, so /verify/X at the edge is resource /verify/X of stage `api`.
        verify = cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(
                api_domain,
                origin_path=DEPLOYED_API_BASE,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,  # Accept decides page or JSON
            response_headers_policy=headers,
        )
        distribution = cloudfront.Distribution(
            self,
            "Site",
            comment=self.describe("pages and API"),
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(function=rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)
                ],
            ),
            additional_behaviors={f"{DEPLOYED_API_BASE}/*": api, VERIFY_PATHS: verify},
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # Asia (Hong Kong, ...) included
            enable_logging=True,
            log_bucket=self.edge_logs,
            log_file_prefix="edge/",
        )
        self._use_custom_domain(distribution)
        acknowledge(
            distribution,
            "AwsSolutions-CFR1",
            "No geo restriction: a party must reach the case page wherever the phone is (roaming, border areas); "
            "the API's web ACL limits abuse by rate instead.",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR2",
            "The only dynamic origin, the API, has a REGIONAL web ACL on its API Gateway stage (ADR 0031); a "
            "CLOUDFRONT-scope ACL exists only in us-east-1, outside this stack's region, and the S3 origin serves static pages.",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR4",
            "With DomainName and CertificateArn the viewer certificate is SNI with TLSv1.2_2021; without them CloudFront's "
            "default *.cloudfront.net certificate is used, whose minimum protocol CloudFront fixes.",
        )
        return distribution

    def _edge_log_bucket(self, access_logs: s3.IBucket) -> s3.Bucket:
        """CloudFront's standard logs: delivered through ACLs, so object-writer ownership (ADR 0031)."""
        return s3.Bucket(
            self,
            "EdgeLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="edge-logs/",
            lifecycle_rules=[s3.LifecycleRule(id="expire-edge-logs", expiration=Duration.days(3 * 365))],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _use_custom_domain(self, distribution: cloudfront.Distribution) -> None:
        """The custom domain when given (with its us-east-1 certificate), else the distribution's own."""
        config = distribution.node.default_child
        assert isinstance(config, cloudfront.CfnDistribution)
        with_domain = self.has_custom_domain.logical_id
        config.add_property_override(
            "DistributionConfig.Aliases", Fn.condition_if(with_domain, [self.domain_name.value_as_string], Fn.ref("AWS::NoValue"))
        )
        no_value = Fn.ref("AWS::NoValue")
        certificate = {
            "AcmCertificateArn": Fn.condition_if(with_domain, self.certificate_arn.value_as_string, no_value),
            "SslSupportMethod": Fn.condition_if(with_domain, "sni-only", no_value),
            "MinimumProtocolVersion": Fn.condition_if(with_domain, MINIMUM_TLS, no_value),
            "CloudFrontDefaultCertificate": Fn.condition_if(with_domain, no_value, True),
        }
        config.add_property_override("DistributionConfig.ViewerCertificate", certificate)
        custom = Fn.join("", ["https://", self.domain_name.value_as_string])
        self.site_url = Fn.condition_if(with_domain, custom, Fn.join("", ["https://", distribution.distribution_domain_name])).to_string()
        # Cognito's redirects: the custom domain, else PublicBaseUrl (the API's environment names the
        # sign-in client, so the client naming the distribution's domain would be a dependency cycle).
        self.sign_in_url = Fn.condition_if(with_domain, custom, self.public_base_url).to_string()

    # --- deployment ------------------------------------------------------------------------

    def _deployment(self, web_root: Path) -> s3_deployment.BucketDeployment:
        hosted = self.hosted_sign_in
        sources = [
            s3_deployment.Source.asset(
                str(web_root),
                bundling=BundlingOptions(
                    image=DockerImage.from_registry("unused"), local=_WebWithApiBase(web_root, hosted_sign_in=hosted is not None)
                ),
            )
        ]
        if hosted is not None:
            # The pool's domain and client exist only at deploy time: the page again, as data whose
            # tokens CDK's deployment function fills in. It runs the sources in order, extracting each
            # over the last, so this copy replaces the asset's (which names no pool).
            page = deployed_page((web_root / SIGN_IN_PAGE).read_text(encoding="utf-8"))
            sources.append(s3_deployment.Source.data(SIGN_IN_PAGE, with_sign_in(page, hosted.domain_url, hosted.client_id)))
        deployment = s3_deployment.BucketDeployment(
            self,
            "DeployPages",
            sources=sources,
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"] if self.distribution else None,
            cache_control=[s3_deployment.CacheControl.no_cache()],  # a new deploy shows at once
            memory_limit=256,
        )
        self._acknowledge_deployment_handler(deployment)
        return deployment

    def _acknowledge_deployment_handler(self, deployment: s3_deployment.BucketDeployment) -> None:
        """The copy function is CDK's own singleton (stack-level): its findings, on it and its role."""
        stack = Stack.of(self)
        handlers = [c for c in stack.node.children if c.node.id.startswith("Custom::CDKBucketDeployment")]
        copying = (
            "CDK's BucketDeployment copies every object of the staged asset into the pages bucket and prunes the rest "
            "(CDK's own grant: read the asset bucket, read/write/delete the pages bucket's objects)"
        )
        qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
        assets_arn = Fn.join("", ["arn:", stack.partition, f":s3:::cdk-{qualifier}-assets-", stack.account, "-", stack.region, "/*"])
        assets = nag_resource(self, assets_arn)
        wildcards = {
            **{f"Action::{action}": copying for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")},
            f"Resource::{assets}": copying,
            f"Resource::{nag_resource(self, self.bucket.arn_for_objects('*'))}": copying,
            "Resource::*": "cloudfront:CreateInvalidation has no resource-level permission for CDK's deployment "
            "function, which invalidates the distribution after copying the pages.",
        }
        for handler in handlers:
            acknowledge(
                handler,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "CDK's BucketDeployment function uses AWSLambdaBasicExecutionRole for its own logs; it runs only "
                "during a deploy, copying the built pages.",
            )
            for finding, reason in wildcards.items():
                acknowledge(handler, f"AwsSolutions-IAM5[{finding}]", reason)
            acknowledge(
                handler,
                "AwsSolutions-L1",
                "The runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib and moves with its upgrades.",
            )
