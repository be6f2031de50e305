"""`Storage`: the data key, the single DynamoDB table (from `chalicelib.store.models.table_spec()`),
the evidence and documents buckets (versioned, Object Lock, KMS, no public access), the
reports bucket (versioned, KMS, no public access) and their
access-log bucket. Other capabilities get access through its grants, object keys through the
key patterns of the stores that make them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from chalicelib.integrations.document_store import document_key
from chalicelib.integrations.evidence_store import STAGING_DAYS, evidence_key, upload_key
from chalicelib.integrations.report_store import report_key
from chalicelib.store.models import table_spec
from infra.cdk.common import Capability, via
from infra.cdk.compute import FunctionRole


def key_pattern(make_key: Callable[[str, str], str]) -> str:
    """The object keys a store's key function makes, as a pattern: `uploads/{c}/{e}` -> `uploads/*`."""
    marker = "\x00"
    return make_key(marker, marker).split(marker, 1)[0] + "*"


# Browsers PUT to staging keys; verified shots are copied to write-once keys (evidence_store.seal).
UPLOADS = key_pattern(upload_key)
SEALED = key_pattern(evidence_key)
# Issued PDFs (document_store): written, locked once recorded, or discarded by version if not.
DOCUMENTS = key_pattern(document_key)
READ_VERSIONS = ["s3:GetObject", "s3:GetObjectVersion"]
# Published reports (report_store): one key per unit, period and file, a version per run.
REPORTS = key_pattern(lambda unit, period: report_key(unit, period, "file"))
KEY_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]


class Storage(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, public_origin: str) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.data_key = kms.Key(
            self,
            "DataKey",
            description=self.describe("table, evidence, documents and secrets"),
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.index_names = [index["name"] for index in table_spec()["indexes"]]
        self.table = self._table()
        self.access_logs = self._access_log_bucket()
        self.evidence = self._evidence_bucket(public_origin)
        self.documents = self._documents_bucket()
        # Where the API and the deliverer find the buckets.
        self.bucket_environment = {"EVIDENCE_BUCKET": self.evidence.bucket_name, "DOCUMENTS_BUCKET": self.documents.bucket_name}
        self.reports = self._reports_bucket()
        # Where the API and the report functions find the reports (ADR 0028).
        self.reports_environment = {"REPORTS_BUCKET": self.reports.bucket_name}

    # --- grants ----------------------------------------------------------------------------

    def grant_table_items(self, role: FunctionRole, *actions: str) -> None:
        """Item actions on the table itself (never its indexes: see `grant_index_query`)."""
        role.allow(iam.PolicyStatement(sid="TableItems", actions=list(actions), resources=[self.table.table_arn]))

    def grant_report_counters(self, role: FunctionRole) -> None:
        """Add to the report counters a case transaction moves (ADR 0027): UpdateItem on their
        partitions only, every other item of a case transaction being a conditioned Put."""
        from chalicelib.store.report_counters import LEADING_KEYS

        role.allow(
            iam.PolicyStatement(
                sid="ReportCounters", actions=["dynamodb:UpdateItem"], resources=[self.table.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [LEADING_KEYS]}},
            )
        )

    def grant_index_query(self, role: FunctionRole, sid: str, *index_names: str) -> None:
        """Query on these indexes only; every index when none is named."""
        role.allow(
            iam.PolicyStatement(
                sid=sid,
                actions=["dynamodb:Query"],
                resources=[f"{self.table.table_arn}/index/{name}" for name in index_names or self.index_names],
            )
        )

    def grant_data_key(self, role: FunctionRole, sid: str, actions: list[str], *services: str) -> None:
        """The data key, only for calls these services make on the role's behalf."""
        role.allow(iam.PolicyStatement(sid=sid, actions=actions, resources=[self.data_key.key_arn], conditions=via(*services)))

    def grant_table_key(self, role: FunctionRole) -> None:
        """The table's encryption key, for calls DynamoDB makes on the role's behalf."""
        self.grant_data_key(role, "DataKeyTable", KEY_USE, "dynamodb")

    def grant_evidence_upload(self, role: FunctionRole) -> None:
        """What evidence_store does: presign browser uploads to staging keys, inspect them, discard a
        rejected one, copy a verified shot to its sealed key locked (the copy's lock headers need
        s3:PutObjectRetention); never delete sealed evidence."""
        role.allow(
            iam.PolicyStatement(
                # presigned PUT (signed by this role), inspect, copy source, discard; the copy and
                # the inspection name the version verified, which S3 authorises as GetObjectVersion
                sid="EvidenceUploads",
                actions=["s3:PutObject", *READ_VERSIONS, "s3:DeleteObject"],
                resources=[self.evidence.arn_for_objects(UPLOADS)],
            ),
            iam.PolicyStatement(
                # copy target, compliance-mode retention, reading back; never deleting
                sid="EvidenceSealed",
                actions=["s3:PutObject", "s3:PutObjectRetention", *READ_VERSIONS],
                resources=[self.evidence.arn_for_objects(SEALED)],
            ),
            iam.PolicyStatement(
                # Without it HeadObject on a missing upload answers 403 instead of 404.
                sid="EvidenceList",
                actions=["s3:ListBucket"],
                resources=[self.evidence.bucket_arn],
            ),
        )
        for pattern in (UPLOADS, SEALED):
            role.accept_wildcard(
                self.evidence.arn_for_objects(pattern),
                f"Evidence object keys under {pattern} are generated per case and shot "
                "(chalicelib.integrations.evidence_store); object actions only, on this bucket only.",
            )

    def grant_evidence_read(self, role: FunctionRole) -> None:
        """Read sealed evidence, to presign links to it (signed by this role)."""
        role.allow(iam.PolicyStatement(sid="EvidenceRead", actions=READ_VERSIONS, resources=[self.evidence.arn_for_objects(SEALED)]))
        role.accept_wildcard(
            self.evidence.arn_for_objects(SEALED),
            f"Sealed evidence keys under {SEALED} are generated per case and shot; the deliverer "
            "only reads them (GetObject, GetObjectVersion) to presign links for insurers.",
        )

    def grant_documents_issue(self, role: FunctionRole) -> None:
        """What document_store does: put a draft, read it (hash for /verify) or a version
        (presigned download), lock the recorded version, delete the exact version of a draft
        never recorded. No s3:DeleteObject (no delete markers, no unversioned deletes) and no
        s3:BypassGovernanceRetention."""
        role.allow(
            iam.PolicyStatement(
                sid="Documents",
                actions=["s3:PutObject", *READ_VERSIONS, "s3:PutObjectRetention", "s3:DeleteObjectVersion"],
                resources=[self.documents.arn_for_objects(DOCUMENTS)],
            ),
            iam.PolicyStatement(
                # Without it GetObject on a missing document answers 403 (AccessDenied) instead of
                # 404 (NoSuchKey), which document_store.current_sha256 reads as "not stored".
                sid="DocumentsList",
                actions=["s3:ListBucket"],
                resources=[self.documents.bucket_arn],
            ),
        )
        role.accept_wildcard(
            self.documents.arn_for_objects(DOCUMENTS),
            f"Document object keys under {DOCUMENTS} are generated per case and document "
            "(chalicelib.integrations.document_store); object actions only (no DeleteObject, no "
            "governance bypass), on this bucket only.",
        )

    def grant_documents_read(self, role: FunctionRole) -> None:
        """Read issued documents, to presign links to them (signed by this role)."""
        role.allow(iam.PolicyStatement(sid="DocumentsRead", actions=READ_VERSIONS, resources=[self.documents.arn_for_objects(DOCUMENTS)]))
        role.accept_wildcard(
            self.documents.arn_for_objects(DOCUMENTS),
            f"Document keys under {DOCUMENTS} are generated per case and document; the deliverer "
            "only reads them (GetObject, GetObjectVersion) to presign links for insurers.",
        )

    def grant_reports_publish(self, role: FunctionRole) -> None:
        """What services.reports does: put a report's files (a new version of the same keys on a re-run)
        and read them back by version (presigned downloads). Never a delete: earlier versions stay."""
        role.allow(
            iam.PolicyStatement(
                sid="ReportsPublish", actions=["s3:PutObject", *READ_VERSIONS], resources=[self.reports.arn_for_objects(REPORTS)]
            )
        )
        role.accept_wildcard(
            self.reports.arn_for_objects(REPORTS),
            f"Report object keys under {REPORTS} are made per unit and period (chalicelib.integrations.report_store); "
            "put and read only (no delete), on the reports bucket only.",
        )

    # --- metrics ---------------------------------------------------------------------------

    def metric_throttles(self, period: Duration, index: str | None = None) -> cloudwatch.MathExpression:
        """Read and write throttle events of the table, or of one of its indexes."""
        dimensions = {"TableName": self.table.table_name}
        if index:
            dimensions["GlobalSecondaryIndexName"] = index

        def metric(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(namespace="AWS/DynamoDB", metric_name=name, dimensions_map=dimensions, statistic="Sum", period=period)

        return cloudwatch.MathExpression(
            expression="reads + writes",
            using_metrics={"reads": metric("ReadThrottleEvents"), "writes": metric("WriteThrottleEvents")},
            period=period,
            label="throttle events",
        )

    # --- resources -------------------------------------------------------------------------

    def _table(self) -> dynamodb.Table:
        spec = table_spec()

        def key(name: str | None) -> dynamodb.Attribute | None:
            return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING) if name else None

        table = dynamodb.Table(
            self,
            "Table",
            partition_key=key(spec["partition_key"]),  # type: ignore[arg-type]
            sort_key=key(spec.get("sort_key")),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.data_key,
            time_to_live_attribute=spec.get("ttl_attribute"),
            stream=dynamodb.StreamViewType.NEW_IMAGE,  # the case rooms' push function reads new messages (room_live.py)
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in spec["indexes"]:
            table.add_global_secondary_index(
                index_name=index["name"],
                partition_key=key(index["partition_key"]),  # type: ignore[arg-type]
                sort_key=key(index.get("sort_key")),
                # only what the index's readers use (ADR 0040): changing it on a deployed table recreates the index
                projection_type=dynamodb.ProjectionType.INCLUDE,
                non_key_attributes=index["projected"],
            )
        return table

    def _access_log_bucket(self) -> s3.Bucket:
        # No AwsSolutions-S1 finding here: cdk-nag recognises the target of server access logs.
        return s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging only delivers to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(3 * 365))],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _locked_bucket(self, construct_id: str, logs_prefix: str, **extra: Any) -> s3.Bucket:
        """Versioned, Object Lock enabled with NO default retention (the API locks exactly what it
        has verified or recorded, in compliance mode), KMS, private, TLS only, logged, retained."""
        return self._versioned_bucket(construct_id, logs_prefix, object_lock_enabled=True, **extra)

    def _versioned_bucket(self, construct_id: str, logs_prefix: str, **extra: Any) -> s3.Bucket:
        """Versioned, KMS with the data key, private, TLS only, logged, retained."""
        return s3.Bucket(
            self,
            construct_id,
            versioned=True,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.data_key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=logs_prefix,
            removal_policy=RemovalPolicy.RETAIN,
            **extra,
        )

    def _evidence_bucket(self, public_origin: str) -> s3.Bucket:
        # Write-once evidence: the API copies a verified upload to its sealed key and locks that
        # version (EVIDENCE_RETENTION_DAYS); staging uploads are never locked, so the lifecycle
        # below can clear them.
        return self._locked_bucket(
            "Evidence",
            "evidence/",
            cors=[
                # Browsers upload with presigned PUT URLs and view with presigned GET URLs.
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                    allowed_origins=[public_origin],
                    allowed_headers=["*"],
                    exposed_headers=["ETag", "x-amz-version-id", "x-amz-checksum-sha256"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
                # Staging uploads: the API deletes none (ADR 0040, "S3 requests"); a shot is sealed
                # from the version it verified, so an upload is of no use once its completion ran.
                s3.LifecycleRule(
                    id="expire-staging-uploads",
                    prefix=UPLOADS.rstrip("*"),
                    expiration=Duration.days(STAGING_DAYS),
                    noncurrent_version_expiration=Duration.days(1),
                ),
                s3.LifecycleRule(id="clear-staging-delete-markers", prefix=UPLOADS.rstrip("*"), expired_object_delete_marker=True),
            ],
        )

    def _reports_bucket(self) -> s3.Bucket:
        # Published reports: versioned so that a re-run replaces a report and keeps the previous as a
        # noncurrent version; no Object Lock (a report is recomputable from the figures, and replaced
        # on purpose: ADR 0028).
        return self._versioned_bucket(
            "Reports",
            "reports/",
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
        )

    def _documents_bucket(self) -> s3.Bucket:
        # Issued letters and agreements: the API writes a draft, records it on the case, then locks
        # that exact version (DOCUMENT_RETENTION_DAYS); a draft the case never recorded is deleted
        # by version, which a default retention would forbid. No CORS: downloads are presigned GET
        # navigations and nothing is uploaded from a browser.
        return self._locked_bucket(
            "Documents",
            "documents/",
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-multipart", abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
        )
