"""Issue 16, offline: the synthesised template's pages, staff sign-in and outputs agree with each
other, and README's "Deploy to AWS" names what the template and the Makefile really take.

- The site (`SiteUrl`), Cognito's redirects and the sign-in page: the custom domain when given;
  without it the redirects follow `PublicBaseUrl`, which README says to set to `SiteUrl`.
- The redirect paths are pages of the distribution (the viewer-request function's table, the same
  the local stack serves), and the page's own redirect path is the client's.
- The client the sign-in page names is the one the API verifies tokens for.
- README's `make deploy` variables are passed by the Makefile as the template's parameters (or
  the `region` context), and its outputs table lists outputs the template has.
"""

from __future__ import annotations

import re
from pathlib import Path

from infra.cdk.identity import CALLBACK_PATH, LOGOUT_PATH
from infra.cdk.pages import viewer_request_code
from infra.local.pages import resolve
from infra.web_pages import SIGN_IN_PAGE
from tests.infra.cdk_template import Synth, logical_id_of, one_resource, resource_of
from tests.infra.test_pages_edge import run_viewer_request

ROOT = Path(__file__).resolve().parents[2]
WEB_ROOT = ROOT / "web"
CUSTOM = {"Fn::Join": ["", ["https://", {"Ref": "DomainName"}]]}
# The outputs an operator needs to finish a deploy (issue 16), besides the API's and sign-in's.
DEPLOY_OUTPUTS = {"SiteUrl", "DistributionDomainName", "WeChatEgressAddress", "ReportsBucketName", "PagesBucketName",
                  "ReportRebuildFunctionName", "StaffSignInClientId", "SignInDomain"}


def _deploy_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Deploy to AWS")
    return readme[start:readme.index("\n## ", start + 1)]


def _makefile_parameters() -> dict[str, str]:
    """make variable -> what `make deploy` passes it as (`--parameters X=` or `--context region=`)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    passed = dict(re.findall(r"--parameters (\w+)=\$\((\w+)\)", makefile))
    by_variable = {variable: parameter for parameter, variable in passed.items()}
    by_variable.update({variable: "context:region" for variable in re.findall(r"--context region=\$\((\w+)\)", makefile)})
    return by_variable


def test_the_site_and_the_sign_in_redirects_name_the_same_host(synth: Synth) -> None:
    site = synth.template["Outputs"]["SiteUrl"]["Value"]
    assert site["Fn::If"][0] == "HasCustomDomain" and site["Fn::If"][1] == CUSTOM
    _, client = resource_of(synth, synth.stack.identity.sign_in_client)
    for urls, path in (("CallbackURLs", CALLBACK_PATH), ("LogoutURLs", LOGOUT_PATH)):
        (url,) = client["Properties"][urls]
        base, suffix = url["Fn::Join"][1]
        assert suffix == path
        # with a custom domain exactly the site; without, PublicBaseUrl (README: set it to SiteUrl)
        assert base == {"Fn::If": ["HasCustomDomain", CUSTOM, {"Ref": "PublicBaseUrl"}]}
    assert "PublicBaseUrl" in synth.template["Outputs"]["SiteUrl"]["Description"]


def test_the_redirect_paths_are_the_sign_in_page_at_the_edge_and_locally() -> None:
    script = (WEB_ROOT / "portal" / "signin.js").read_text(encoding="utf-8")
    assert f'const CALLBACK = "{CALLBACK_PATH}";' in script  # the page's redirect_uri is the client's callback
    for path in (CALLBACK_PATH, LOGOUT_PATH):
        assert run_viewer_request(viewer_request_code(""), path)["uri"] == f"/{SIGN_IN_PAGE}", path
        assert resolve(path) == WEB_ROOT / SIGN_IN_PAGE, path


def test_the_page_names_the_client_the_api_verifies_for(synth: Synth) -> None:
    client_ref = {"Ref": logical_id_of(synth, synth.stack.identity.sign_in_client)}
    env = synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["COGNITO_SIGN_IN_CLIENT_ID"] == client_ref
    _, deployment = one_resource(synth, "Custom::CDKBucketDeployment")
    assert client_ref in deployment["Properties"]["SourceMarkers"][1].values()
    assert synth.template["Outputs"]["StaffSignInClientId"]["Value"] == client_ref


def test_the_outputs_an_operator_needs_exist_and_readme_lists_them(synth: Synth) -> None:
    outputs = synth.template["Outputs"]
    assert DEPLOY_OUTPUTS <= set(outputs)
    distribution_id = logical_id_of(synth, synth.stack.pages.distribution)
    assert outputs["DistributionDomainName"]["Value"] == {"Fn::GetAtt": [distribution_id, "DomainName"]}
    assert outputs["PagesBucketName"]["Value"] == {"Ref": logical_id_of(synth, synth.stack.pages.bucket)}
    assert outputs["ReportsBucketName"]["Value"] == {"Ref": logical_id_of(synth, synth.stack.storage.reports)}
    section = _deploy_section()
    table = [line for line in section.splitlines() if line.startswith("| `")]
    listed = {name for line in table for name in re.findall(r"`(\w+)`", line.split("|")[1])}
    assert listed <= set(outputs), listed - set(outputs)
    assert DEPLOY_OUTPUTS <= listed, DEPLOY_OUTPUTS - listed


def test_readme_deploy_example_passes_real_parameters(synth: Synth) -> None:
    section = _deploy_section()
    (example,) = re.findall(r"make deploy [^`]*?\n```", section, re.S)
    variables = re.findall(r"\b([A-Z_]+)=", example)
    passed = _makefile_parameters()
    parameters = set(synth.template["Parameters"])
    for variable in variables:
        if variable == "STAGE":
            continue
        assert variable in passed, variable
        assert passed[variable] == "context:region" or passed[variable] in parameters, (variable, passed[variable])
    # the edge's parameters by their real names, the certificate in us-east-1, the region context
    for name in ("DomainName", "CertificateArn", "WechatVerificationCode"):
        assert name in parameters and f"`{name}`" in section, name
    assert "arn:aws:acm:us-east-1:" in example and re.search(synth.template["Parameters"]["CertificateArn"]["AllowedPattern"],
                                                            "arn:aws:acm:us-east-1:123456789012:certificate/abc-1")
    assert "REGION=" in example and "-c region=" in section
    assert "<" not in "".join(re.findall(r"DOMAIN_NAME=(\S+)", example))  # a real example, not a placeholder
    assert "filled in by the lead" not in section
