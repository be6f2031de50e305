"""The API construct (`infra/cdk/api.py`): the Chalice function's environment, runtime and layer, and its
least-privilege role (table, evidence, documents, secrets, the workflows' runs)."""

from __future__ import annotations

import json

from chalicelib.integrations.document_store import document_key
from chalicelib.integrations.evidence_store import evidence_key, upload_key
from chalicelib.settings import Settings
from chalicelib.store.models import table_spec
from infra.cdk.stack import PROJECT_ROOT
from tests.infra.cdk_template import (
    INSURER_SECRET_PREFIX,
    INSURER_SECRETS_ARN,
    MESSAGING_ENV,
    STAGE,
    WORKFLOW_NAMES,
    Synth,
    arn,
    as_list,
    data_key_id,
    documents_bucket,
    evidence_bucket,
    granted,
    logical_id_of,
    machine_name,
    one_resource,
    pages_deployment_function,
    pages_deployment_layers,
    policy_statements,
    resource_of,
    resources_of,
    state_machine_resource,
)

EXPECTED_ENV = (
    "STAGE",
    "TABLE_NAME",
    "EVIDENCE_BUCKET",
    "DOCUMENTS_BUCKET",
    "APP_SECRETS_ID",
    "INSURER_SECRET_PREFIX",
    "PUBLIC_BASE_URL",
    *MESSAGING_ENV,
)

# Every action each role is granted: anything new must be added here on purpose.
API_ACTIONS = {
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "s3:PutObject",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectRetention",
    "s3:ListBucket",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DescribeSecret",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    # case room video (infra/cdk/room_video.py): meetings, attendees, the recording's pipelines
    "chime:CreateMeeting",
    "chime:DeleteMeeting",
    "chime:CreateAttendee",
    "chime:DeleteAttendee",
    "chime:CreateMediaCapturePipeline",
    "chime:CreateMediaConcatenationPipeline",
    "iam:PassRole",
    # the rescue workflow: start a run, cancel one, answer a waiting step (driver's answers, reports)
    "states:StartExecution",
    "states:StopExecution",
    "states:SendTaskSuccess",
    "states:SendTaskFailure",
}

# What document_store does on documents/...: put, get (hash), get a version (presigned download),
# lock the recorded version, delete the exact version of an unrecorded draft.
DOCUMENT_ACTIONS = {"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectRetention", "s3:DeleteObjectVersion"}


def test_api_function_has_environment_runtime_tracing_and_own_role(synth: Synth) -> None:
    functions = resources_of(synth, "AWS::Serverless::Function")
    assert set(functions) == {"APIHandler"}
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    evidence_id, _ = evidence_bucket(synth)
    documents_id, _ = documents_bucket(synth)
    role_id, _ = resource_of(synth, synth.stack.api.role)
    app_secret_id = next(
        k
        for k, v in resources_of(synth, "AWS::SecretsManager::Secret").items()
        if v["Properties"]["GenerateSecretString"].get("GenerateStringKey")
    )
    for name, function in functions.items():
        props = function["Properties"]
        env = props["Environment"]["Variables"]
        assert set(EXPECTED_ENV) <= env.keys(), name
        assert env["STAGE"] == STAGE
        assert env["TABLE_NAME"] == {"Ref": table_id}
        assert env["EVIDENCE_BUCKET"] == {"Ref": evidence_id}
        assert env["DOCUMENTS_BUCKET"] == {"Ref": documents_id}
        assert env["APP_SECRETS_ID"] == {"Ref": app_secret_id}
        assert env["INSURER_SECRET_PREFIX"] == INSURER_SECRET_PREFIX
        assert env["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
        assert {name: env[name] for name in MESSAGING_ENV} == MESSAGING_ENV
        assert props["Runtime"] == "python3.12"
        assert props.get("Tracing") == "Active" or props.get("TracingConfig") == {"Mode": "Active"}
        assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}


def test_chalice_requirements_stay_empty() -> None:
    # Dependencies go into the layer; anything here would be packed into the API zip.
    assert (PROJECT_ROOT / "requirements.txt").read_text().strip() == ""


def test_dependency_layer_is_attached_when_built(synth: Synth) -> None:
    props = synth.template["Resources"]["APIHandler"]["Properties"]
    # CDK's pages deployment brings its own AWS CLI layer: every other layer is ours
    ours = {k: v for k, v in resources_of(synth, "AWS::Lambda::LayerVersion").items() if k not in pages_deployment_layers(synth)}
    assert len(pages_deployment_layers(synth)) == 1
    if (PROJECT_ROOT / "layers" / "python").is_dir():
        assert len(ours) == 1
        assert len(props["Layers"]) == 1
    else:
        assert "Layers" not in props
        assert not ours
        assert any("NoDependencyLayer" in str(w.entry.data) for w in synth.warnings)


def test_api_role_is_least_privilege(synth: Synth) -> None:
    spec = table_spec()
    _, role = resource_of(synth, synth.stack.api.role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = policy_statements(role)
    actions = [action for s in statements for action in as_list(s["Action"])]
    assert all("*" not in action for action in actions), actions
    assert "dynamodb:Scan" not in actions
    for needed in (
        "dynamodb:Query",
        "dynamodb:PutItem",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:PutObjectRetention",
        "secretsmanager:GetSecretValue",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
    ):
        assert needed in actions, needed
    assert set(actions) == API_ACTIONS  # nothing more (the API sends no SMS: no sns:Publish)
    for statement in statements:
        assert statement["Effect"] == "Allow"
        if as_list(statement["Resource"]) == ["*"]:
            assert all(action.startswith("xray:") for action in as_list(statement["Action"])), statement
    # staging uploads may be deleted; sealed evidence may be locked but never deleted
    evidence_id, _ = evidence_bucket(synth)
    uploads, sealed = (make_key("x", "y").split("/")[0] for make_key in (upload_key, evidence_key))
    for statement in statements:
        resources = json.dumps(statement["Resource"])
        if evidence_id not in resources:
            continue
        assert "s3:DeleteObjectVersion" not in as_list(statement["Action"]), statement
        if "s3:DeleteObject" in as_list(statement["Action"]):
            assert f'/{uploads}/*"' in resources and f"/{sealed}/" not in resources, statement
        if "s3:PutObjectRetention" in as_list(statement["Action"]):
            assert f'/{sealed}/*"' in resources and f"/{uploads}/" not in resources, statement
        if f'/{uploads}/*"' in resources:  # sealing copies the upload's verified version by its id
            assert {"s3:GetObject", "s3:GetObjectVersion"} <= set(as_list(statement["Action"])), statement
    # documents: one statement on documents/* with exactly what document_store does
    documents_id, _ = documents_bucket(synth)
    prefix = document_key("x", "y").split("/")[0]
    documents_objects = {"Fn::Join": ["", [{"Fn::GetAtt": [documents_id, "Arn"]}, f"/{prefix}/*"]]}
    on_documents = [s for s in statements if documents_id in json.dumps(s["Resource"])]
    object_statements = [s for s in on_documents if as_list(s["Resource"]) != [{"Fn::GetAtt": [documents_id, "Arn"]}]]
    assert len(object_statements) == 1, on_documents
    assert as_list(object_statements[0]["Resource"]) == [documents_objects]
    assert set(as_list(object_statements[0]["Action"])) == DOCUMENT_ACTIONS
    bucket_statements = [s for s in on_documents if s not in object_statements]
    assert [set(as_list(s["Action"])) for s in bucket_statements] == [{"s3:ListBucket"}]
    # the role cannot delete documents without naming a version (delete markers, unversioned
    # deletes) nor bypass governance-mode retention, anywhere
    for forbidden in ("s3:DeleteObject", "s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration"):
        assert not any(forbidden in as_list(s["Action"]) for s in on_documents), forbidden
    assert "s3:BypassGovernanceRetention" not in actions
    # KMS for the documents bucket comes through S3 on the data key, like the evidence bucket
    data_key = next(s for s in statements if s.get("Sid") == "DataKey")
    assert data_key["Resource"] == {"Fn::GetAtt": [data_key_id(synth), "Arn"]}
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} <= set(as_list(data_key["Action"]))
    assert any("s3." in json.dumps(v) for v in as_list(data_key["Condition"]["StringEquals"]["kms:ViaService"]))
    index_statement = next(s for s in statements if s.get("Sid") == "TableIndexes")
    index_names = {json.dumps(r).rsplit("/index/", 1)[1].split('"')[0] for r in as_list(index_statement["Resource"])}
    assert index_names == {index["name"] for index in spec["indexes"]}
    # permissions live inline in the role, so the function cannot start before they exist; the
    # only separate policy is CDK's pages deployment role's, which its function waits for
    _, deployment = pages_deployment_function(synth)
    deployment_role = deployment["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = resources_of(synth, "AWS::IAM::Policy")
    assert [p["Properties"]["Roles"] for p in policies.values()] == [[{"Ref": deployment_role}]]
    assert set(policies) <= set(deployment["DependsOn"])


def test_api_role_reads_and_rotates_insurer_secrets_only_under_the_prefix(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.api.role)
    statements = policy_statements(role)
    # rotate (describe, read, put a new version) and verify inbound webhooks (read)
    for action in ("secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"):
        assert granted(statements, action) == [INSURER_SECRETS_ARN], action
    app_secret_id = logical_id_of(synth, synth.stack.secrets.app_secrets)
    qr_keys_id = logical_id_of(synth, synth.stack.secrets.medical_qr_keys)
    assert sorted(granted(statements, "secretsmanager:GetSecretValue"), key=json.dumps) == sorted(
        [INSURER_SECRETS_ARN, {"Ref": app_secret_id}, {"Ref": qr_keys_id}], key=json.dumps
    )
    secrets_actions = {a for s in statements for a in as_list(s["Action"]) if a.startswith("secretsmanager:")}
    assert secrets_actions == {"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"}


def test_api_starts_stops_and_answers_each_workflow_and_knows_its_arn(synth: Synth) -> None:
    env = synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    settings = {field.alias for field in Settings.model_fields.values()}
    for name, deployed in synth.stack.workflows.items():
        variable = f"{name.upper()}_STATE_MACHINE_ARN"
        assert variable in settings, variable  # what chalicelib.settings reads
        assert env[variable] == {"Ref": state_machine_resource(synth, deployed)[0]}
    assert "RESCUE_STATE_MACHINE_ARN" in env
    _, role = resource_of(synth, synth.stack.api.role)
    statements = policy_statements(role)
    machines = sorted((arn("states", f"stateMachine:{machine_name(name)}") for name in WORKFLOW_NAMES), key=json.dumps)
    for action in ("states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"):
        assert sorted(granted(statements, action), key=json.dumps) == machines, action
    executions = sorted((arn("states", f"execution:{machine_name(name)}:*") for name in WORKFLOW_NAMES), key=json.dumps)
    assert sorted(granted(statements, "states:StopExecution"), key=json.dumps) == executions
    assert {a for s in statements for a in as_list(s["Action"]) if a.startswith("states:")} == {
        "states:StartExecution",
        "states:StopExecution",
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
    }
