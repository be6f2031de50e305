"""Checks of the whole template: only our least-privilege roles, no account, region or ARN, cdk-nag
AwsSolutions (no unacknowledged finding, every acknowledgment has a reason), cfn-lint."""

from __future__ import annotations

import re

from aws_cdk import Validations

from tests.infra.cdk_template import REGION, Synth, cfn_lint, logical_id_of, resources_of

# The logical ids the stateful resources were first deployed with: a new id (a renamed or moved
# construct) would make CloudFormation replace them, losing the data or orphaning a retained copy.
STATEFUL_LOGICAL_IDS = {
    "TableCD117FA1": "AWS::DynamoDB::Table",
    "Evidence4CC26D68": "AWS::S3::Bucket",
    "Documents7E5B2978": "AWS::S3::Bucket",
    "AccessLogs8B620ECA": "AWS::S3::Bucket",
    "Reports65402A0A": "AWS::S3::Bucket",
    "DataKey17AFBB84": "AWS::KMS::Key",
    "AlarmKeyE05DE300": "AWS::KMS::Key",
    "AppSecretsA1997F2A": "AWS::SecretsManager::Secret",
    "LookupHashKeySeed8D131F05": "AWS::SecretsManager::Secret",
    "ApiLogs3D05D88B": "AWS::Logs::LogGroup",
    "DelivererLogs2CD5A35F": "AWS::Logs::LogGroup",
    "RescueLogsEA5F8FA4": "AWS::Logs::LogGroup",
    "RescueStateMachineLogs302A4C95": "AWS::Logs::LogGroup",
    "RescueSweeperLogsF7CB66D3": "AWS::Logs::LogGroup",
    "CalendarCheckLogs46E0A4F2": "AWS::Logs::LogGroup",
    "MediationSweeperLogsF69B0D9C": "AWS::Logs::LogGroup",
    "MedicalQrKeysC75533DC": "AWS::SecretsManager::Secret",
    "RoomLiveLogsE36C6224": "AWS::Logs::LogGroup",
    "RoomVideoLogs2A717176": "AWS::Logs::LogGroup",
    "RoomSocketAccessLogsCA7C47A4": "AWS::Logs::LogGroup",
    "FundLogs6F0C3BC3": "AWS::Logs::LogGroup",
    "FundStateMachineLogs43508691": "AWS::Logs::LogGroup",
    "MedicalLogsDED1B275": "AWS::Logs::LogGroup",
    "MedicalStateMachineLogs890B4385": "AWS::Logs::LogGroup",
    "ReportDailyLogsFCC954DA": "AWS::Logs::LogGroup",
    "ReportMonthlyLogsB216BAB6": "AWS::Logs::LogGroup",
    "WeChatTokenRefresherLogs70C6E868": "AWS::Logs::LogGroup",
    "WeChatVpcFlowLogsBDE6B4E5": "AWS::Logs::LogGroup",
    "ApiAccessLogsE9DF007D": "AWS::Logs::LogGroup",
    "PagesBucketA8D6DB5E": "AWS::S3::Bucket",
    "EdgeLogs3E8D2A9E": "AWS::S3::Bucket",
    "CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiBLogGroup2BF8D970": "AWS::Logs::LogGroup",
    "ReferenceDataLogs0EA8C4E8": "AWS::Logs::LogGroup",
    "ReportRebuildLogsB6E8D48C": "AWS::Logs::LogGroup",
}
STATEFUL_TYPES = set(STATEFUL_LOGICAL_IDS.values())


def test_stateful_resources_keep_their_logical_ids(synth: Synth) -> None:
    stateful = {k: v["Type"] for k, v in synth.template["Resources"].items() if v["Type"] in STATEFUL_TYPES}
    assert stateful == STATEFUL_LOGICAL_IDS


def test_the_roles_are_the_api_deliverer_workflow_sweeper_and_calendar_check_roles(synth: Synth) -> None:
    assert set(resources_of(synth, "AWS::IAM::Role")) == {
        logical_id_of(synth, synth.stack.api.role),
        logical_id_of(synth, synth.stack.delivery.role),
        logical_id_of(synth, synth.stack.rescue_sweeper.role),
        logical_id_of(synth, synth.stack.calendar_check.role),
        logical_id_of(synth, synth.stack.mediation_sweeper.role),
        logical_id_of(synth, synth.stack.room_live.socket_role),
        logical_id_of(synth, synth.stack.room_live.push_role),
        logical_id_of(synth, synth.stack.room_video.sink_role),
        logical_id_of(synth, synth.stack.room_video.recorder_role),
        *(logical_id_of(synth, role) for role in synth.stack.reports.roles.values()),
        logical_id_of(synth, synth.stack.reports.scheduler_role),
        logical_id_of(synth, synth.stack.delivery.stream_role),
        logical_id_of(synth, synth.stack.wechat_egress.role),
        logical_id_of(synth, synth.stack.wechat_egress.flow_log_role),
        logical_id_of(synth, synth.stack.reference_data.role),
        logical_id_of(synth, synth.stack.reference_data.provider_role),
        *(logical_id_of(synth, w.function_role) for w in synth.stack.workflows.values()),
        *(logical_id_of(synth, w.state_machine_role) for w in synth.stack.workflows.values()),
        logical_id_of(synth, synth.stack.api.gateway_logs_role),
        logical_id_of(synth, synth.stack.pages.deployment.handler_role),
        logical_id_of(synth, synth.stack.report_rebuild.role),
    }


def test_template_has_no_hard_coded_account_region_or_arn(synth: Synth) -> None:
    text = synth.template_path.read_text()
    assert not re.findall(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])", text)
    assert REGION not in text
    assert not re.findall(r"arn:aws[a-z-]*:", text)


def test_cdk_nag_reports_no_errors(synth: Synth) -> None:
    errors = [v for v in synth.violations if v["severity"] == "error"]
    assert errors == [], f"unacknowledged cdk-nag errors: {errors}"
    assert synth.synth_error is None, synth.synth_error
    assert synth.nag_errors == []


def test_cdk_nag_reports_no_warnings(synth: Synth) -> None:
    warnings = [v for v in synth.violations if v["severity"] != "error"]
    assert warnings == [], f"unacknowledged cdk-nag warnings: {warnings}"
    assert synth.nag_warnings == []


def test_every_cdk_nag_acknowledgment_has_a_reason(synth: Synth) -> None:
    acknowledged = {}
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    acknowledged[(construct.node.path, rule)] = reason
    assert acknowledged, "expected the acknowledged findings (secret rotation, X-Ray, object keys)"
    for (path, rule), reason in acknowledged.items():
        assert "AwsSolutions-" in rule, (path, rule)
        assert len(reason) >= 40, (path, rule, reason)  # a reason, not a placeholder


def test_state_machine_logging_and_tracing_are_not_acknowledged_away(synth: Synth) -> None:
    # cdk-nag SF1 (log ALL events) and SF2 (X-Ray) are met, not accepted
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                assert not [rule for rule in entry.data if rule.startswith("AwsSolutions-SF")], construct.node.path


def test_cfn_lint_passes(synth: Synth) -> None:
    result = cfn_lint(synth.template_path)
    assert result.returncode == 0, result.stdout + result.stderr
