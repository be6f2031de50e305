"""`Secrets`: the app secret (`{"tokenSecret": ..., "lookupHashKey": ..., "wechatAppSecret": ""}`),
generated at deploy time except `wechatAppSecret`, which operations fill in; the direct-pay QR
signing key (ADR 0017), generated at deploy time; and the name prefix of the insurers' signing
secrets (created per insurer by provisioning, not here)."""

from __future__ import annotations

import json

from aws_cdk import ArnFormat, Fn, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.cdk.common import APP_NAME, Capability, acknowledge
from infra.cdk.compute import FunctionRole

# The app secret's keys; `wechatAppSecret` is a placeholder that operations fill in after the deploy.
APP_SECRET_KEYS = ("tokenSecret", "lookupHashKey", "wechatAppSecret")


class Secrets(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, encryption_key: kms.IKey) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.app_secrets = self._app_secrets(encryption_key)
        # Each insurer's webhook signing secret is `<prefix>/<insurerCode>`, created by provisioning
        # (chalicelib.integrations.insurer_secrets); the stack only fixes the prefix and scopes
        # IAM to it. Secret ARNs end in `-<6 random characters>`, which `/*` covers.
        self.insurer_secret_prefix = f"{APP_NAME}/{stage}/insurers"
        self.insurer_secrets_arn = Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{self.insurer_secret_prefix}/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        # Where the API and the deliverer find the secrets.
        self.environment = {"APP_SECRETS_ID": self.app_secrets.secret_arn, "INSURER_SECRET_PREFIX": self.insurer_secret_prefix}
        self.medical_qr_keys = self._medical_qr_keys(encryption_key)
        # Only what signs or publishes direct-pay QR tokens (the API) needs this one.
        self.medical_qr_environment = {"MEDICAL_QR_SECRET_ID": self.medical_qr_keys.secret_arn}

    def grant_app_secret_read(self, role: FunctionRole) -> None:
        secret = self.app_secrets.secret_arn
        role.allow(iam.PolicyStatement(sid="AppSecrets", actions=["secretsmanager:GetSecretValue"], resources=[secret]))

    def grant_medical_qr_keys_read(self, role: FunctionRole) -> None:
        """Read the QR signing keys: sign tokens, publish the public keys (rotation is an operator's)."""
        secret = self.medical_qr_keys.secret_arn
        role.allow(iam.PolicyStatement(sid="MedicalQrKeys", actions=["secretsmanager:GetSecretValue"], resources=[secret]))

    def grant_insurer_secrets_read(self, role: FunctionRole) -> None:
        """Read the insurers' signing secrets, to sign outbound webhooks."""
        self._grant_insurer_secrets(role, ["secretsmanager:GetSecretValue"], "GetSecretValue only (signing outbound webhooks).")

    def grant_insurer_secrets_rotate(self, role: FunctionRole) -> None:
        """Verify inbound webhooks (read) and rotate an insurer's secret (describe, read, put a new
        version); never create, delete or change a secret's policy."""
        self._grant_insurer_secrets(
            role,
            ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"],
            "read, describe and put a new version only (verifying inbound webhooks, rotating a "
            "secret); no create, delete or policy actions.",
        )

    def _grant_insurer_secrets(self, role: FunctionRole, actions: list[str], what_the_role_does: str) -> None:
        role.allow(iam.PolicyStatement(sid="InsurerSecrets", actions=actions, resources=[self.insurer_secrets_arn]))
        role.accept_wildcard(
            self.insurer_secrets_arn,
            f"One Secrets Manager secret per insurer under {self.insurer_secret_prefix}/, created by "
            "provisioning as insurers join (their codes are data, not known to the stack); " + what_the_role_does,
        )

    def _app_secrets(self, encryption_key: kms.IKey) -> secretsmanager.Secret:
        # A generated secret has exactly one generated field, and the app needs two independent
        # keys in one JSON secret: `lookupHashKey` is generated in its own secret first and put
        # into the template of the app secret through a dynamic reference, resolved by
        # CloudFormation at deploy time (never in the template or in the CDK output).
        lookup_seed = self._generated_seed(
            "LookupHashKeySeed",
            "seed of lookupHashKey in AppSecrets",
            encryption_key,
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
            description=self.describe(json.dumps(dict.fromkeys(APP_SECRET_KEYS, "..."))),
            encryption_key=encryption_key,
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

    def _medical_qr_keys(self, encryption_key: kms.IKey) -> secretsmanager.Secret:
        # CloudFormation can only generate a password: the first key is its SHA-256 (a bare seed;
        # chalicelib.integrations.qr_keys reads it so), and the first rotation writes the JSON
        # form with the retired keys. Never a key in the template or the CDK output.
        return self._generated_seed(
            "MedicalQrKeys",
            "Ed25519 seeds of the direct-pay QR signing keys (ADR 0017)",
            encryption_key,
            "Rotated by operations with chalicelib.integrations.qr_keys.rotate (python -m "
            "chalicelib.tools.rotate_qr_key), which keeps the old key published until every token it "
            "signed has expired; a Secrets Manager rotation Lambda would replace the whole value and "
            "strand tokens of the old key. Generated at deploy time, encrypted with the data key, "
            "readable only by the API role.",
        )

    def _generated_seed(self, construct_id: str, what: str, encryption_key: kms.IKey, why_not_rotated: str) -> secretsmanager.Secret:
        """A secret holding one generated 64-character seed, retained, encrypted with the data key."""
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=self.describe(what),
            encryption_key=encryption_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True, include_space=False),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(secret, "AwsSolutions-SMG4", why_not_rotated)
        return secret
