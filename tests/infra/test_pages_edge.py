"""The pages in AWS (`infra/cdk/pages.py`, ADR 0031): a private bucket holding `web/` with the API
base `/api`, one CloudFront distribution for pages and API, strict headers, the page paths'
function, the optional custom domain and WeChat's verification file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.cdk.api import API_GATEWAY_STAGE
from infra.cdk.pages import MINIMUM_TLS, VERIFY_PATHS, viewer_request_code
from infra.local.pages import resolve
from infra.web_pages import API_BASE_META, DEPLOYED_API_BASE, PAGE_ROUTES
from tests.infra.cdk_template import Synth, logical_id_of, one_resource, resource_of, resources_of

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
# AWS's managed policies (ids fixed by CloudFront)
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def distribution_config(synth: Synth) -> dict[str, Any]:
    _, distribution = one_resource(synth, "AWS::CloudFront::Distribution")
    return distribution["Properties"]["DistributionConfig"]


def origin_of(config: dict[str, Any], behaviour: dict[str, Any]) -> dict[str, Any]:
    (origin,) = (o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"])
    return origin


def test_pages_bucket_is_private_encrypted_versioned_tls_only_and_logged(synth: Synth) -> None:
    bucket_id, bucket = resource_of(synth, synth.stack.pages.bucket)
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logical_id_of(synth, synth.stack.storage.access_logs)}
    (policy,) = (p for p in resources_of(synth, "AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket_id})
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert {"aws:SecureTransport": "false"} in [s["Condition"].get("Bool") for s in denies]
    assert {"s3:TlsVersion": 1.2} in [s["Condition"].get("NumericLessThan") for s in denies]
    # the only reader: this distribution's CloudFront, through origin access control
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    distribution_id = logical_id_of(synth, synth.stack.pages.distribution)
    assert distribution_id in json.dumps(allows[0]["Condition"])
    assert allows[0]["Action"] == "s3:GetObject"


def test_web_is_deployed_with_the_api_base_of_the_distribution(synth: Synth) -> None:
    _, deployment = one_resource(synth, "Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    assert props["DestinationBucketName"] == {"Ref": logical_id_of(synth, synth.stack.pages.bucket)}
    assert props["DistributionPaths"] == ["/*"]  # a deploy invalidates the edge's copies
    key, *_ = props["SourceObjectKeys"]  # web/; then the sign-in page naming the pool (below)
    staged = synth.outdir / f"asset.{key.removesuffix('.zip')}"
    assert staged.is_dir(), staged
    for page in WEB_ROOT.rglob("*.html"):
        text = (staged / page.relative_to(WEB_ROOT)).read_text(encoding="utf-8")
        assert API_BASE_META in page.read_text(encoding="utf-8"), page  # every page names its base
        assert f'<meta name="ycht-api-base" content="{DEPLOYED_API_BASE}">' in text, page
    assert (staged / "shared" / "config.js").read_text() == (WEB_ROOT / "shared" / "config.js").read_text()
    assert DEPLOYED_API_BASE == f"/{API_GATEWAY_STAGE}"  # /api/* at the edge is the stage `api`


def test_distribution_serves_pages_from_the_bucket_through_origin_access_control(synth: Synth) -> None:
    config = distribution_config(synth)
    default = config["DefaultCacheBehavior"]
    origin = origin_of(config, default)
    assert origin["DomainName"] == {"Fn::GetAtt": [logical_id_of(synth, synth.stack.pages.bucket), "RegionalDomainName"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    oac_id, oac = one_resource(synth, "AWS::CloudFront::OriginAccessControl")
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    function_id, _ = one_resource(synth, "AWS::CloudFront::Function")
    assert default["FunctionAssociations"] == [{"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}]
    assert config["Logging"]["Bucket"] == {"Fn::GetAtt": [logical_id_of(synth, synth.stack.pages.edge_logs), "RegionalDomainName"]}


def test_api_is_under_api_on_the_same_distribution_never_cached(synth: Synth) -> None:
    config = distribution_config(synth)
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == {f"/{API_GATEWAY_STAGE}/*", VERIFY_PATHS}
    api = behaviours[f"/{API_GATEWAY_STAGE}/*"]
    assert api["PathPattern"] == f"/{API_GATEWAY_STAGE}/*"
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER  # API Gateway checks Host
    assert api["ViewerProtocolPolicy"] == "https-only"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert "FunctionAssociations" not in api
    origin = origin_of(config, api)
    # stage `api` answers /api/...: no origin path, the path goes through unchanged
    assert "OriginPath" not in origin or origin["OriginPath"] == ""
    assert origin["DomainName"] == {
        "Fn::Join": [".", [{"Ref": "RestAPI"}, "execute-api", {"Ref": "AWS::Region"}, {"Ref": "AWS::URLSuffix"}]]
    }
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_the_documents_verify_address_reaches_the_api_without_api_in_its_path(synth: Synth) -> None:
    """PUBLIC_BASE_URL/verify/<id> (printed and QR-encoded on every document) is the API's route:
    the origin path adds the stage, the Accept header reaches the API (page or JSON), never cached."""
    config = distribution_config(synth)
    (verify,) = (b for b in config["CacheBehaviors"] if b["PathPattern"] == VERIFY_PATHS)
    assert VERIFY_PATHS == "/verify/*"
    assert verify["CachePolicyId"] == CACHING_DISABLED
    assert verify["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert verify["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "AllowedMethods" not in verify  # CloudFront's default: GET and HEAD only
    assert "FunctionAssociations" not in verify
    origin = origin_of(config, verify)
    assert origin["OriginPath"] == DEPLOYED_API_BASE == f"/{API_GATEWAY_STAGE}"
    assert origin["DomainName"] == {
        "Fn::Join": [".", [{"Ref": "RestAPI"}, "execute-api", {"Ref": "AWS::Region"}, {"Ref": "AWS::URLSuffix"}]]
    }
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_pages_and_api_get_strict_security_headers(synth: Synth) -> None:
    config = distribution_config(synth)
    policy_id, policy = one_resource(synth, "AWS::CloudFront::ResponseHeadersPolicy")
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "style-src 'self';" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    # presigned uploads and photos: path-style S3 of the stack's region
    assert 'https://s3.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}' in csp
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600 and hsts["IncludeSubdomains"] and hsts["Override"]


def test_custom_domain_is_optional_and_needs_a_us_east_1_certificate(synth: Synth) -> None:
    parameters = synth.template["Parameters"]
    assert parameters["DomainName"]["Default"] == "" and parameters["CertificateArn"]["Default"] == ""
    assert ":acm:us-east-1:" in parameters["CertificateArn"]["AllowedPattern"]
    assert synth.template["Conditions"]["HasCustomDomain"] == {
        "Fn::And": [{"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]} for name in ("DomainName", "CertificateArn")]
    }
    assert "DomainNeedsCertificate" in synth.template["Rules"]  # one without the other fails the deploy
    config = distribution_config(synth)
    assert config["Aliases"] == {"Fn::If": ["HasCustomDomain", [{"Ref": "DomainName"}], {"Ref": "AWS::NoValue"}]}
    certificate = config["ViewerCertificate"]
    assert certificate["AcmCertificateArn"] == {"Fn::If": ["HasCustomDomain", {"Ref": "CertificateArn"}, {"Ref": "AWS::NoValue"}]}
    assert certificate["MinimumProtocolVersion"] == {"Fn::If": ["HasCustomDomain", MINIMUM_TLS, {"Ref": "AWS::NoValue"}]}
    assert certificate["SslSupportMethod"] == {"Fn::If": ["HasCustomDomain", "sni-only", {"Ref": "AWS::NoValue"}]}
    assert certificate["CloudFrontDefaultCertificate"] == {"Fn::If": ["HasCustomDomain", {"Ref": "AWS::NoValue"}, True]}
    distribution_id, _ = one_resource(synth, "AWS::CloudFront::Distribution")
    custom = {"Fn::Join": ["", ["https://", {"Ref": "DomainName"}]]}
    own = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    assert synth.template["Outputs"]["SiteUrl"]["Value"] == {"Fn::If": ["HasCustomDomain", custom, own]}


def test_staff_sign_in_redirects_to_the_custom_domain_when_given(synth: Synth) -> None:
    _, client = resource_of(synth, synth.stack.identity.sign_in_client)
    props = client["Properties"]
    site = {"Fn::If": ["HasCustomDomain", {"Fn::Join": ["", ["https://", {"Ref": "DomainName"}]]}, {"Ref": "PublicBaseUrl"}]}
    assert props["CallbackURLs"] == [{"Fn::Join": ["", [site, "/staff/signed-in"]]}]
    assert props["LogoutURLs"] == [{"Fn::Join": ["", [site, "/staff/signed-out"]]}]


def test_wechat_verification_code_is_a_parameter_answered_at_the_root(synth: Synth) -> None:
    parameter = synth.template["Parameters"]["WechatVerificationCode"]
    assert parameter["Default"] == ""
    _, function = one_resource(synth, "AWS::CloudFront::Function")
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert {"Ref": "WechatVerificationCode"} in function["Properties"]["FunctionCode"]["Fn::Join"][1]


# --- the viewer-request function, run by node as CloudFront would ----------------------------------


def run_viewer_request(code: str, uri: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = code + f"\nconsole.log(JSON.stringify(handler({{request: {{uri: {json.dumps(uri)}, headers: {{}}}}}})));\n"
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("uri", "page"),
    [("/h5/cases/YC2611291VRRWCZV", "/h5/index.html"), ("/h5/cases/YC1/", "/h5/index.html")],
)
def test_function_answers_a_page_path_with_the_file_the_local_stack_serves(uri: str, page: str) -> None:
    assert run_viewer_request(viewer_request_code(""), uri)["uri"] == page
    assert resolve(uri) == WEB_ROOT / page.lstrip("/")  # the same table locally


def test_every_page_of_the_table_exists() -> None:
    for _, page in PAGE_ROUTES:
        assert (WEB_ROOT / page).is_file(), page


@pytest.mark.parametrize("uri", ["/h5/app.js", "/shared/config.js", "/h5/cases/a/b", "/api/cases/YC1", "/MP_verify_abc.txt"])
def test_function_leaves_files_and_other_paths_alone(uri: str) -> None:
    assert run_viewer_request(viewer_request_code(""), uri)["uri"] == uri


def test_function_answers_wechat_verification_file_with_its_code() -> None:
    response = run_viewer_request(viewer_request_code("Ab12Cd34"), "/MP_verify_Ab12Cd34.txt")
    assert response["statusCode"] == 200
    assert response["body"] == {"encoding": "text", "data": "Ab12Cd34"}
    assert run_viewer_request(viewer_request_code("Ab12Cd34"), "/MP_verify_other.txt")["uri"] == "/MP_verify_other.txt"


def _deployment_sources(synth: Synth) -> tuple[dict[str, Any], list[Path]]:
    _, deployment = one_resource(synth, "Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    return props, [synth.outdir / f"asset.{key.removesuffix('.zip')}" for key in props["SourceObjectKeys"]]


def test_the_sign_in_page_is_deployed_naming_the_pool_domain_and_staff_client(synth: Synth) -> None:
    props, (_, sign_in_data) = _deployment_sources(synth)  # the data after the asset: it replaces the asset's copy
    page = (sign_in_data / "portal" / "signin.html").read_text(encoding="utf-8")
    assert props["SourceMarkers"][0] == {}
    # the deploy-time values CDK's deployment function writes for each marker
    names = {
        json.dumps({"Ref": logical_id_of(synth, synth.stack.identity.domain)}): "PREFIX",
        json.dumps({"Ref": "AWS::Region"}): "REGION",
        json.dumps({"Ref": logical_id_of(synth, synth.stack.identity.sign_in_client)}): "CLIENT",
    }
    markers = props["SourceMarkers"][1]
    assert sorted(names[json.dumps(value)] for value in markers.values()) == ["CLIENT", "PREFIX", "REGION"]
    for marker, value in markers.items():
        page = page.replace(marker, names[json.dumps(value)])
    assert '<meta name="ycht-sign-in-domain" content="https://PREFIX.auth.REGION.amazoncognito.com">' in page
    assert '<meta name="ycht-sign-in-client" content="CLIENT">' in page
    assert f'<meta name="ycht-api-base" content="{DEPLOYED_API_BASE}">' in page
    assert "中国区" not in page  # a pool here: no note
    # the page's own markup otherwise, as the asset holds it
    assert 'id="hosted-sign-in"' in page and 'id="paste-form"' in page


def test_the_pages_may_fetch_the_pool_token_endpoint(synth: Synth) -> None:
    _, policy = one_resource(synth, "AWS::CloudFront::ResponseHeadersPolicy")
    csp = json.dumps(policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"])
    domain_id = logical_id_of(synth, synth.stack.identity.domain)
    connect = csp[csp.index("connect-src"):csp.index("object-src")]
    assert f' https://", {{"Ref": "{domain_id}"}}, ".auth.", {{"Ref": "AWS::Region"}}, ".amazoncognito.com;' in connect
    assert domain_id not in csp[csp.index("img-src"):csp.index("connect-src")]


def test_icon_is_staged_for_the_bucket_and_left_alone_by_the_function(tmp_path: Path) -> None:
    """A browser asks /favicon.ico of every page: the bucket holds it (else S3 answers 403)."""
    from infra.cdk.pages import _WebWithApiBase

    _WebWithApiBase(WEB_ROOT, hosted_sign_in=False).try_bundle(str(tmp_path), image=None)  # type: ignore[arg-type]
    assert (tmp_path / "favicon.ico").read_bytes() == (WEB_ROOT / "favicon.ico").read_bytes()
    assert (tmp_path / "shared" / "favicon.svg").is_file()
    assert run_viewer_request(viewer_request_code(""), "/favicon.ico")["uri"] == "/favicon.ico"
