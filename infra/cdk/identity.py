"""`Identity`: staff and partner sign-in in a Cognito user pool (ADR 0025).

- People (police staff, the fund's reviewers, partner staff) are created by an operator (no self
  sign-up), sign in on the hosted UI with the authorization code flow (a public client: no
  secret, PKCE) and are in one group per role; their jurisdiction and organisation are custom
  attributes only an administrator writes. MFA (an authenticator app) is required for everyone.
- Machine partners (insurers calling the API) get one client-credentials client each, allowed
  only the scope of their insurer code on the resource server.

The API reads the pool from its environment (`environment`) and verifies the tokens itself
(`chalicelib.integrations.cognito`)."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import CfnParameter, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from chalicelib.domain.cognito_claims import INSURER_SCOPE_PREFIX, JURISDICTION_ATTRIBUTE, ORG_ATTRIBUTE, ROLE_GROUPS
from infra.cdk.common import Capability

RESOURCE_SERVER = "yunchetong"
SEED = Path("chalicelib/config/seed_yancheng.json")
# The staff front end's OAuth redirects, under the public base URL.
CALLBACK_PATH = "/staff/signed-in"
LOGOUT_PATH = "/staff/signed-out"
SESSION = Duration.hours(12)  # a shift, as the local staff tokens (STAFF_TOKEN_HOURS)


def insurer_codes(project_root: Path) -> list[str]:
    """The insurers of the reference data, each a machine partner of its own."""
    seed = json.loads((project_root / SEED).read_text(encoding="utf-8"))
    return [insurer["code"] for insurer in seed["insurers"]]


class Identity(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, public_base_url: str, insurers: list[str]) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.user_pool = self._user_pool()
        self.groups = {
            role: cognito.CfnUserPoolGroup(
                self, f"{role.capitalize()}Group", user_pool_id=self.user_pool.user_pool_id, group_name=role, description=f"the {role} role"
            )
            for role in ROLE_GROUPS
        }
        self.domain = self.user_pool.add_domain(
            "SignInDomain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=self._domain_prefix(stage)),
            managed_login_version=cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
        )
        self.sign_in_client = self._sign_in_client(public_base_url)
        self.resource_server = self.user_pool.add_resource_server(
            "Partners",
            identifier=RESOURCE_SERVER,
            user_pool_resource_server_name=self.physical_name("partners"),
            scopes=[
                cognito.ResourceServerScope(scope_name=f"{INSURER_SCOPE_PREFIX}{code}", scope_description=f"call the API as insurer {code}")
                for code in insurers
            ],
        )
        self.insurer_clients = {code: self._insurer_client(code) for code in insurers}
        # What the API needs to verify a token and map it to a Principal.
        self.environment = {
            "COGNITO_USER_POOL_ID": self.user_pool.user_pool_id,
            "COGNITO_ISSUER": Fn.join("", ["https://", self.user_pool.user_pool_provider_url]),
            "COGNITO_SIGN_IN_CLIENT_ID": self.sign_in_client.user_pool_client_id,
            "COGNITO_INSURER_CLIENTS": Stack.of(self).to_json_string(
                {code: client.user_pool_client_id for code, client in self.insurer_clients.items()}
            ),
            "COGNITO_RESOURCE_SERVER": RESOURCE_SERVER,
        }

    def _user_pool(self) -> cognito.UserPool:
        return cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=self.physical_name("staff"),
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(email=cognito.StandardAttribute(required=True, mutable=True)),
            custom_attributes={
                JURISDICTION_ATTRIBUTE: cognito.StringAttribute(min_len=6, max_len=12, mutable=True),
                ORG_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=32, mutable=True),
            },
            # Required for every user: police roles must have it (ADR 0025), and partner staff see
            # the same injured parties' data; a pool-wide setting needs no sign-in trigger.
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False, email=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            user_invitation=cognito.UserInvitationConfig(
                email_subject="云车通工作人员账号",
                email_body="您的云车通账号已开通：用户名 {username}，临时密码 {####}。首次登录请修改密码并绑定身份验证器应用。",
            ),
            user_verification=cognito.UserVerificationConfig(
                email_subject="云车通邮箱验证", email_body="您的验证码是 {####}。", email_style=cognito.VerificationEmailStyle.CODE
            ),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _domain_prefix(self, stage: str) -> str:
        return CfnParameter(
            self,
            "SignInDomainPrefix",
            type="String",
            default=self.physical_name("sign-in"),
            description="Prefix of the Cognito hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com); unique in the region",
            allowed_pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
            constraint_description="lower-case letters, digits and hyphens",
        ).value_as_string

    def _sign_in_client(self, public_base_url: str) -> cognito.UserPoolClient:
        readable = cognito.ClientAttributes().with_standard_attributes(email=True, email_verified=True)
        return self.user_pool.add_client(
            "StaffSignIn",
            user_pool_client_name=self.physical_name("staff-sign-in"),
            generate_secret=False,  # a browser app: PKCE instead of a secret
            auth_flows=cognito.AuthFlow(user_srp=False),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=[Fn.join("", [public_base_url, CALLBACK_PATH])],
                logout_urls=[Fn.join("", [public_base_url, LOGOUT_PATH])],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            # The attributes that scope a user are read in the ID token and written by administrators only.
            read_attributes=readable.with_custom_attributes(JURISDICTION_ATTRIBUTE, ORG_ATTRIBUTE),
            write_attributes=cognito.ClientAttributes(),
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=SESSION,
            enable_token_revocation=True,
        )

    def sign_in_at(self, site_url: str) -> None:
        """Staff sign in on the pages' site (custom domain or distribution, ADR 0031): Cognito
        redirects only there, whatever PublicBaseUrl names."""
        client = self.sign_in_client.node.default_child
        assert isinstance(client, cognito.CfnUserPoolClient)
        client.add_property_override("CallbackURLs", [Fn.join("", [site_url, CALLBACK_PATH])])
        client.add_property_override("LogoutURLs", [Fn.join("", [site_url, LOGOUT_PATH])])

    def _insurer_client(self, code: str) -> cognito.UserPoolClient:
        scope = cognito.ResourceServerScope(scope_name=f"{INSURER_SCOPE_PREFIX}{code}", scope_description=f"call the API as insurer {code}")
        return self.user_pool.add_client(
            f"Insurer{code}",
            user_pool_client_name=self.physical_name(f"insurer-{code.lower()}"),
            generate_secret=True,  # client credentials: the insurer's server keeps the secret
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(client_credentials=True),
                scopes=[cognito.OAuthScope.resource_server(self.resource_server, scope)],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            access_token_validity=Duration.hours(1),
            prevent_user_existence_errors=True,
        )
