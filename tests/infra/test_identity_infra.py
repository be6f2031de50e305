"""The identity construct (`infra/cdk/identity.py`): the Cognito user pool for staff and partner
sign-in, its groups, clients and resource server, and what the API is told about them."""

from __future__ import annotations

import json

from chalicelib.domain.cognito_claims import ROLE_GROUPS
from infra.cdk.identity import insurer_codes
from infra.cdk.stack import PROJECT_ROOT
from tests.infra.cdk_template import Synth, logical_id_of, one_resource, resources_of


def _clients(synth: Synth) -> dict[str, dict]:
    return {k: v["Properties"] for k, v in resources_of(synth, "AWS::Cognito::UserPoolClient").items()}


def _sign_in_client(synth: Synth) -> tuple[str, dict]:
    logical_id = logical_id_of(synth, synth.stack.identity.sign_in_client)
    return logical_id, _clients(synth)[logical_id]


def test_the_pool_takes_no_self_sign_up_requires_totp_mfa_and_a_strong_password(synth: Synth) -> None:
    pool_id, pool = one_resource(synth, "AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["MfaConfiguration"] == "ON"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    password = props["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    assert all(password[flag] for flag in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert props["UserPoolTier"] == "PLUS"
    assert props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert props["DeletionProtection"] == "ACTIVE"
    assert pool["DeletionPolicy"] == "Retain"
    attributes = {a["Name"]: a for a in props["Schema"]}
    assert attributes["jurisdiction"]["AttributeDataType"] == "String"
    assert attributes["org"]["AttributeDataType"] == "String"
    assert pool_id == logical_id_of(synth, synth.stack.identity.user_pool)


def test_one_group_per_role(synth: Synth) -> None:
    groups = resources_of(synth, "AWS::Cognito::UserPoolGroup").values()
    assert sorted(g["Properties"]["GroupName"] for g in groups) == sorted(ROLE_GROUPS)
    assert {"dispatcher", "officer", "supervisor", "insurer", "hospital", "tow", "fund"} == set(ROLE_GROUPS)


def test_hosted_ui_domain_from_a_parameter(synth: Synth) -> None:
    _, domain = one_resource(synth, "AWS::Cognito::UserPoolDomain")
    assert domain["Properties"]["Domain"] == {"Ref": "SignInDomainPrefix"}
    assert synth.template["Parameters"]["SignInDomainPrefix"]["Default"] == "yunchetong-test-sign-in"


def test_staff_sign_in_client_is_a_public_code_flow_client_that_cannot_write_its_scope(synth: Synth) -> None:
    _, client = _sign_in_client(synth)
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    # the custom domain when given, else PublicBaseUrl (ADR 0031; test_pages_edge)
    site = {"Fn::If": ["HasCustomDomain", {"Fn::Join": ["", ["https://", {"Ref": "DomainName"}]]}, {"Ref": "PublicBaseUrl"}]}
    assert client["CallbackURLs"] == [{"Fn::Join": ["", [site, "/staff/signed-in"]]}]
    assert {"custom:jurisdiction", "custom:org"} <= set(client["ReadAttributes"])
    assert not any(a.startswith("custom:") for a in client.get("WriteAttributes", []))
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_each_insurer_of_the_seed_has_a_client_credentials_client_with_its_own_scope_only(synth: Synth) -> None:
    codes = insurer_codes(PROJECT_ROOT)
    assert len(codes) > 1
    _, server = one_resource(synth, "AWS::Cognito::UserPoolResourceServer")
    assert server["Properties"]["Identifier"] == "yunchetong"
    assert sorted(s["ScopeName"] for s in server["Properties"]["Scopes"]) == sorted(f"insurer.{code}" for code in codes)
    for code, construct in synth.stack.identity.insurer_clients.items():
        client = _clients(synth)[logical_id_of(synth, construct)]
        assert client["GenerateSecret"] is True
        assert client["AllowedOAuthFlows"] == ["client_credentials"]
        assert client["AllowedOAuthScopes"] == [
            {"Fn::Join": ["", [{"Ref": logical_id_of(synth, synth.stack.identity.resource_server)}, f"/insurer.{code}"]]}
        ]
    assert sorted(synth.stack.identity.insurer_clients) == sorted(codes)
    assert len(_clients(synth)) == len(codes) + 1


def test_the_api_knows_the_pool_issuer_and_clients(synth: Synth) -> None:
    env = synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    pool_id = logical_id_of(synth, synth.stack.identity.user_pool)
    sign_in_id, _ = _sign_in_client(synth)
    assert env["COGNITO_USER_POOL_ID"] == {"Ref": pool_id}
    assert env["COGNITO_ISSUER"] == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [pool_id, "ProviderURL"]}]]}
    assert env["COGNITO_SIGN_IN_CLIENT_ID"] == {"Ref": sign_in_id}
    assert env["COGNITO_RESOURCE_SERVER"] == "yunchetong"
    rendered = json.dumps(env["COGNITO_INSURER_CLIENTS"])
    for code, construct in synth.stack.identity.insurer_clients.items():
        assert f'\\"{code}\\":\\"' in rendered, code
        assert {"Ref": logical_id_of(synth, construct)} in env["COGNITO_INSURER_CLIENTS"]["Fn::Join"][1]
