"""The direct-pay QR signing secret (`infra/cdk/secrets.py`): generated, retained, read by the API only."""

from __future__ import annotations

from tests.infra.cdk_template import Synth, as_list, logical_id_of, policy_statements, resource_of


def test_the_qr_signing_secret_is_generated_at_deploy_time_and_retained(synth: Synth) -> None:
    secret_id, secret = resource_of(synth, synth.stack.secrets.medical_qr_keys)
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generator = secret["Properties"]["GenerateSecretString"]
    assert generator["PasswordLength"] >= 64 and "GenerateStringKey" not in generator
    assert "SecretString" not in secret["Properties"]  # never a literal key in the template
    assert secret["DeletionPolicy"] == "Retain"
    assert "KmsKeyId" in secret["Properties"]
    assert secret_id == logical_id_of(synth, synth.stack.secrets.medical_qr_keys)


def test_only_the_api_reads_the_qr_signing_secret_and_knows_its_id(synth: Synth) -> None:
    secret_ref = {"Ref": logical_id_of(synth, synth.stack.secrets.medical_qr_keys)}
    readers = []
    for logical_id, resource in synth.template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for statement in policy_statements(resource):
            if secret_ref in as_list(statement["Resource"]):
                assert as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"], statement
                readers.append(logical_id)
    assert readers == [resource_of(synth, synth.stack.api.role)[0]]
    env = synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["MEDICAL_QR_SECRET_ID"] == secret_ref
