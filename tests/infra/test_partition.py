"""The stack in the `aws-cn` partition (ADR 0031): `-c region=cn-northwest-1` pins the stack to a
China region, and what exists only in the global partition (CloudFront with its functions,
origin access control, response headers policies, ACM certificates in us-east-1) is left out; the
data stays in the chosen region either way."""

from __future__ import annotations

import re

import pytest

from infra.web_pages import NO_HOSTED_SIGN_IN_NOTE, SIGN_IN_CLIENT_META, SIGN_IN_DOMAIN_META, SIGN_IN_PAGE
from tests.infra.cdk_template import Synth, cfn_lint, resources_of

CHINA_REGION = "cn-northwest-1"


@pytest.fixture(scope="module")
def china(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from tests.infra.cdk_template import synthesise

    return synthesise(tmp_path_factory.mktemp("cdk-synth-cn"), region=CHINA_REGION)


def test_china_stack_is_pinned_to_its_region_and_partition(china: Synth) -> None:
    assert china.stack.region == CHINA_REGION
    assert china.stack.partition_name == "aws-cn"
    text = china.template_path.read_text()
    # no ARN of the global partition written into the template
    assert not re.findall(r"arn:aws:", text)


def test_china_stack_has_no_cloudfront_but_keeps_the_pages_bucket_and_the_api_firewall(china: Synth) -> None:
    assert not [t for t in (r["Type"] for r in china.template["Resources"].values()) if t.startswith("AWS::CloudFront::")]
    assert china.stack.pages.distribution is None
    assert "DomainName" not in china.template["Parameters"]
    assert "SiteUrl" not in china.template["Outputs"]
    assert resources_of(china, "AWS::WAFv2::WebACL")
    assert resources_of(china, "AWS::WAFv2::WebACLAssociation")
    (deployment,) = resources_of(china, "Custom::CDKBucketDeployment").values()
    assert "DistributionId" not in deployment["Properties"]


def test_china_sign_in_page_says_only_a_pasted_token_signs_in(china: Synth) -> None:
    # no user pool in aws-cn: no hosted sign-in written into the page, which says so in Chinese
    (deployment,) = resources_of(china, "Custom::CDKBucketDeployment").values()
    (key,) = deployment["Properties"]["SourceObjectKeys"]
    page = (china.outdir / f"asset.{key.removesuffix('.zip')}" / SIGN_IN_PAGE).read_text(encoding="utf-8")
    assert NO_HOSTED_SIGN_IN_NOTE in page and "中国区" in page
    assert SIGN_IN_DOMAIN_META in page and SIGN_IN_CLIENT_META in page  # left empty: the hosted button stays hidden
    assert 'id="paste-form"' in page
    assert not [o for o in china.template["Outputs"] if o.startswith("SignIn") or o == "StaffSignInClientId"]


def test_china_stack_passes_cdk_nag(china: Synth) -> None:
    assert china.synth_error is None, china.synth_error
    assert [v for v in china.violations] == []


def test_china_stack_passes_cfn_lint_for_its_region(china: Synth) -> None:
    result = cfn_lint(china.template_path, "--regions", CHINA_REGION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_china_api_has_no_snap_start_and_invokes_the_function_itself(china: Synth) -> None:
    # SnapStart is not listed for the China regions (ADR 0037): no alias, no published version
    props = china.template["Resources"]["APIHandler"]["Properties"]
    assert not {"AutoPublishAlias", "AutoPublishAliasAllProperties", "AutoPublishCodeSha256", "SnapStart"} & props.keys()
    text = china.template_path.read_text()
    assert "${APIHandler.Arn}:live" not in text and "${APIHandler.Arn}/invocations" in text
    permission = china.template["Resources"]["APIHandlerInvokePermission"]
    assert permission["Properties"]["FunctionName"] == {"Ref": "APIHandler"} and "DependsOn" not in permission
    alarms = [a["Properties"] for a in resources_of(china, "AWS::CloudWatch::Alarm").values()
              if {"Name": "FunctionName", "Value": {"Ref": "APIHandler"}} in a["Properties"].get("Dimensions", [])]
    assert alarms and all(len(a["Dimensions"]) == 1 for a in alarms)
