"""`ReferenceData`: the deployment's data migration. A custom resource (CDK Provider framework) runs
`functions/reference_data` on create and whenever the reference data file changes, so a fresh
deploy is healthy (`/health` reads the seed marker) and a re-deploy of unchanged data calls nothing.

The file's content hash is the resource's property: CloudFormation updates the resource (and so
calls the function) only when it changes; the loader then writes only the items that differ."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aws_cdk import CustomResource, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from chalicelib.store.seed import DEFAULT_SEED
from infra.cdk.common import Capability, acknowledge, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import Storage

REFERENCE_DATA_HANDLER = "functions.reference_data.handler.handler"


def content_hash(project_root: Path, seed: str = DEFAULT_SEED) -> str:
    """sha256 of the reference data file as deployed (`chalicelib/config/<seed>.json`)."""
    return hashlib.sha256((project_root / "chalicelib" / "config" / f"{seed}.json").read_bytes()).hexdigest()


class ReferenceData(Capability):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, compute: Compute, project_root: Path
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "ReferenceDataLogs")
        self.role = FunctionRole(
            self,
            "ReferenceDataRole",
            purpose="execution role of the reference data migration",
            policy_name="reference-data",
            log_group=self.log_group,
        )
        # Reads each item to compare (BatchGetItem, GetItem), writes only the changed ones.
        storage.grant_table_items(
            self.role, "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem"
        )
        storage.grant_table_key(self.role)
        self.function = compute.function(
            self,
            "ReferenceData",
            description="load the reference data (insurers, hospitals, fleet, staff, service points) into the table",
            handler=REFERENCE_DATA_HANDLER,
            role=self.role,
            timeout=Duration.minutes(5),
            memory_size=512,
            environment=compute.base_environment,
        )
        # The Provider framework's function (CDK's own code) relays CloudFormation's request to ours.
        self.provider_role = FunctionRole(
            self,
            "ReferenceDataProviderRole",
            purpose="execution role of the reference data migration's custom resource provider",
            policy_name="reference-data-provider",
            log_group=self.log_group,
        )
        # Inline, as every role of ours (no separate policy resource): the provider's own grant is
        # kept off the role (`without_policy_updates`).
        self.provider_role.allow(
            iam.PolicyStatement(
                sid="InvokeMigration",
                actions=["lambda:InvokeFunction"],
                resources=[self.function.function_arn, f"{self.function.function_arn}:*"],
            )
        )
        self.provider_role.allow_running_functions()
        provider = cr.Provider(
            self,
            "ReferenceDataProvider",
            on_event_handler=self.function,
            log_group=self.log_group,
            framework_on_event_role=self.provider_role.without_policy_updates(),
        )
        self.provider_role.accept_wildcard(
            f"{self.function.function_arn}:*", "The provider framework may invoke the migration function's versions, nothing else."
        )
        # The framework's function (runtime chosen by CDK) logs to our log group through its role.
        acknowledge(provider, "AwsSolutions-L1", "The CDK Provider framework's function runtime is chosen by CDK, not by us.")
        self.content_hash = content_hash(project_root)
        self.resource = CustomResource(
            self,
            "ReferenceDataLoad",
            service_token=provider.service_token,
            resource_type="Custom::ReferenceData",
            properties={"Seed": DEFAULT_SEED, "ContentHash": self.content_hash},
        )
