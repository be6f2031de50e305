"""The delivery construct (`infra/cdk/delivery.py`): the outbox deliverer, its schedule and its
least-privilege role."""

from __future__ import annotations

import json

from chalicelib.integrations.document_store import document_key
from chalicelib.integrations.evidence_store import evidence_key
from chalicelib.store.models import OutboxItem
from tests.infra.cdk_template import (
    INSURER_SECRET_PREFIX,
    INSURER_SECRETS_ARN,
    MESSAGING_ENV,
    STAGE,
    Synth,
    as_list,
    assert_own_role_and_log_group,
    assert_scheduled_alone,
    data_key_id,
    deliverer_function,
    documents_bucket,
    evidence_bucket,
    granted,
    logical_id_of,
    one_resource,
    policy_statements,
    resource_of,
    schedule_of,
)

DELIVERER_ENV = (
    "STAGE",
    "TABLE_NAME",
    "EVIDENCE_BUCKET",
    "DOCUMENTS_BUCKET",
    "APP_SECRETS_ID",  # tokenSecret for the case links in notices, wechatAppSecret
    "INSURER_SECRET_PREFIX",
    "PUBLIC_BASE_URL",
    "POWERTOOLS_SERVICE_NAME",
    "PYDANTIC_DISABLE_PLUGINS",
    "WECHAT_TOKEN_FETCH",  # "refresher": the token comes from the in-VPC refresher through the table (ADR 0034)
    *MESSAGING_ENV,
)

DELIVERER_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "secretsmanager:GetSecretValue",
    "sns:Publish",  # party notices by SMS
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}

# The statements on Resource "*": X-Ray (no resource-level permissions) and, for the deliverer,
# SMS to phone numbers (no resource ARN).
STAR_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "sns:Publish"}


def test_deliverer_function_runs_the_handler_with_its_environment(synth: Synth) -> None:
    _, function = deliverer_function(synth)
    props = function["Properties"]
    assert props["Handler"] == "functions.deliverer.handler.handler"
    assert props["Runtime"] == "python3.12"
    assert props["Architectures"] == ["x86_64"]
    assert props["Timeout"] == 60
    assert props["TracingConfig"] == {"Mode": "Active"}
    env = props["Environment"]["Variables"]
    assert set(env) == set(DELIVERER_ENV)  # DELIVERY_* and the link lifetimes keep their defaults
    assert env["STAGE"] == STAGE
    assert env["TABLE_NAME"] == {"Ref": one_resource(synth, "AWS::DynamoDB::Table")[0]}
    assert env["EVIDENCE_BUCKET"] == {"Ref": evidence_bucket(synth)[0]}
    assert env["DOCUMENTS_BUCKET"] == {"Ref": documents_bucket(synth)[0]}
    assert env["INSURER_SECRET_PREFIX"] == INSURER_SECRET_PREFIX
    assert env["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    assert env["POWERTOOLS_SERVICE_NAME"] == "yunchetong"
    assert env["APP_SECRETS_ID"] == {"Ref": logical_id_of(synth, synth.stack.secrets.app_secrets)}
    assert {name: env[name] for name in MESSAGING_ENV} == MESSAGING_ENV
    assert env["WECHAT_TOKEN_FETCH"] == "refresher"
    # the same prefix for both functions
    assert (
        synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["INSURER_SECRET_PREFIX"]
        == env["INSURER_SECRET_PREFIX"]
    )
    assert "VpcConfig" not in props  # outbound HTTPS to insurers through Lambda's own egress


def test_deliverer_runs_one_at_a_time_without_retries(synth: Synth) -> None:
    function_id, function = deliverer_function(synth)
    assert_scheduled_alone(synth, function_id, function, "rate(1 minute)")


def test_deliverer_has_its_own_role_and_log_group(synth: Synth) -> None:
    _, function = deliverer_function(synth)
    assert_own_role_and_log_group(synth, function, synth.stack.delivery, [synth.stack.api.role])


def test_deliverer_uses_the_dependency_layer_when_built(synth: Synth) -> None:
    _, function = deliverer_function(synth)
    if synth.stack.compute.layer is None:
        assert "Layers" not in function["Properties"]
    else:
        assert function["Properties"]["Layers"] == [{"Ref": logical_id_of(synth, synth.stack.compute.layer)}]


def test_schedule_runs_the_deliverer_every_minute(synth: Synth) -> None:
    function_id, _ = deliverer_function(synth)
    assert schedule_of(synth, function_id)["Properties"]["ScheduleExpression"] == "rate(1 minute)"


def test_deliverer_role_is_least_privilege(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.delivery.role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = policy_statements(role)
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    outbox_index = {"Fn::Join": ["", [table_arn, f"/index/{OutboxItem.gsi1.Meta.index_name}"]]}
    # reads the table: due messages through the outbox index, cases, insurers; leases and records
    for action in ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"):
        assert granted(statements, action) == [table_arn], action
    assert sorted(granted(statements, "dynamodb:Query"), key=json.dumps) == sorted([table_arn, outbox_index], key=json.dumps)
    assert {a for a in actions if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    # reads the insurers' signing secrets under the prefix and the app secret (tokenSecret for the
    # case links in notices, wechatAppSecret); never writes or reads anything else
    app_secret = {"Ref": logical_id_of(synth, synth.stack.secrets.app_secrets)}
    assert sorted(granted(statements, "secretsmanager:GetSecretValue"), key=json.dumps) == sorted(
        [INSURER_SECRETS_ARN, app_secret], key=json.dumps
    )
    assert {a for a in actions if a.startswith("secretsmanager:")} == {"secretsmanager:GetSecretValue"}
    assert granted(statements, "secretsmanager:PutSecretValue") == []
    assert actions == DELIVERER_ACTIONS
    # presigns GETs of sealed evidence and documents: read-only object actions, nothing else in S3
    evidence_id, _ = evidence_bucket(synth)
    documents_id, _ = documents_bucket(synth)
    prefixes = {
        evidence_id: evidence_key("x", "y").split("/")[0],
        documents_id: document_key("x", "y").split("/")[0],
    }
    readable = [{"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, f"/{prefix}/*"]]} for bucket, prefix in prefixes.items()]
    for action in ("s3:GetObject", "s3:GetObjectVersion"):
        assert sorted(granted(statements, action), key=json.dumps) == sorted(readable, key=json.dumps), action
    assert {a for a in actions if a.startswith("s3:")} == {"s3:GetObject", "s3:GetObjectVersion"}
    # the data key only through DynamoDB (table) and, decrypt only, S3 and Secrets Manager
    data_key = {"Fn::GetAtt": [data_key_id(synth), "Arn"]}
    for statement in statements:
        if any(a.startswith("kms:") for a in as_list(statement["Action"])):
            assert statement["Resource"] == data_key
            services = json.dumps(statement["Condition"]["StringEquals"]["kms:ViaService"])
            if set(as_list(statement["Action"])) != {"kms:Decrypt"}:
                assert "dynamodb." in services and "s3." not in services and "secretsmanager." not in services
    # '*' only for X-Ray and SMS; logs only to its own log group
    for statement in statements:
        if as_list(statement["Resource"]) == ["*"]:
            assert set(as_list(statement["Action"])) <= STAR_ACTIONS, statement
    log_group_id = logical_id_of(synth, synth.stack.delivery.log_group)
    assert granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [log_group_id, "Arn"]}]


def test_only_the_deliverer_sends_sms_to_phone_numbers(synth: Synth) -> None:
    # SMS publishes to a phone number (no topic ARN): sns:Publish on "*", alone in its statement,
    # without conditions; the API only queues notices, the deliverer sends them.
    _, deliverer_role = resource_of(synth, synth.stack.delivery.role)
    sms = [s for s in policy_statements(deliverer_role) if "sns:Publish" in as_list(s["Action"])]
    assert len(sms) == 1
    assert as_list(sms[0]["Action"]) == ["sns:Publish"]
    assert as_list(sms[0]["Resource"]) == ["*"]
    _, api_role = resource_of(synth, synth.stack.api.role)
    assert not [a for s in policy_statements(api_role) for a in as_list(s["Action"]) if a.startswith("sns:")]
