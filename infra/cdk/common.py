"""What every capability construct of `infra/cdk` shares: names, cdk-nag acknowledgments, log
groups, KMS conditions, and the logical ids of the resources they hold."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from aws_cdk import Acknowledgment, CfnElement, Fn, RemovalPolicy, Stack, Validations
from aws_cdk import aws_logs as logs
from constructs import Construct

APP_NAME = "yunchetong"


class Capability(Construct):
    """One capability of the backend (storage, secrets, the API, ...) as a construct of its own.

    Its id groups the resources in the construct tree but stays out of their logical ids (see
    `capability_logical_id`): moving a resource between the stack and a capability does not
    replace it on deploy, which would lose the table's and the buckets' data and collide with the
    explicit names of the functions and the state machine.
    """

    def __init__(self, scope: Construct, construct_id: str, *, stage: str) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage

    def describe(self, what: str) -> str:
        """A description naming the app and the stage: `yunchetong dev: <what>`."""
        return f"{APP_NAME} {self.stage}: {what}"

    def physical_name(self, name: str) -> str:
        """An explicit resource name, as the local stack names it: `yunchetong-dev-<name>`."""
        return f"{APP_NAME}-{self.stage}-{name}"


def capability_logical_id(element: CfnElement) -> str:
    """CDK's logical id of `element` (`Stack.allocateLogicalId`) computed without the ids of the
    capabilities on its path: `Storage/Table/Resource` gets the id `Table/Resource` would have.

    A clash between two capabilities' children fails the synth (CloudFormation sections refuse
    a duplicate key), so their construct ids stay unique within the stack.
    """
    stack = Stack.of(element)
    scopes = element.node.scopes
    path = [scope.node.id for scope in scopes[scopes.index(stack) + 1 :] if not isinstance(scope, Capability)]
    return _unique_id(path)


def _unique_id(path: list[str]) -> str:
    """`makeUniqueId` of aws-cdk-lib (core/lib/private/uniqueid.ts), which CDK does not export."""
    path = [part for part in path if part != "Default"]
    if len(path) == 1 and len(_alphanumeric(path[0])) <= 255:
        return _alphanumeric(path[0])
    digest = hashlib.md5("/".join(path).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    human: list[str] = []
    for part in path:
        if not human or not human[-1].endswith(part):
            human.append(part)
    return "".join(_alphanumeric(part) for part in human if part != "Resource")[:240] + digest


def _alphanumeric(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def acknowledge(construct: Construct, rule_id: str, reason: str) -> None:
    """Accept one cdk-nag finding on `construct` (and its children), with the reason on record."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def camel_case(name: str) -> str:
    """A construct id from a registry name: `rescue-find-candidates` -> `RescueFindCandidates`."""
    return "".join(part.capitalize() for part in name.split("-"))


def log_group(scope: Construct, construct_id: str) -> logs.LogGroup:
    """A log group kept a year and kept when the stack goes."""
    return logs.LogGroup(scope, construct_id, retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN)


def via(*services: str) -> dict[str, Any]:
    """The condition that limits a KMS statement to calls these services make for the role."""
    return {"StringEquals": {"kms:ViaService": [Fn.sub(f"{s}.${{AWS::Region}}.amazonaws.com") for s in services]}}


def nag_resource(scope: Construct, arn: str) -> str:
    """An ARN the way cdk-nag names it in a finding id: pseudo parameters as `<AWS::...>`,
    attributes as `<LogicalId.Arn>`."""
    resolved = Stack.of(scope).resolve(arn)
    parts = resolved["Fn::Join"][1] if isinstance(resolved, dict) and "Fn::Join" in resolved else [resolved]
    return "".join(_nag_part(part) for part in parts)


def _nag_part(part: Any) -> str:
    if isinstance(part, str):
        return part
    if "Ref" in part:
        return f"<{part['Ref']}>"
    return "<{}.{}>".format(*part["Fn::GetAtt"])
