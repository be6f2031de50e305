"""PynamoDB models of the single table.

Every item has `pk`/`sk`; three overloaded GSIs (`gsi1`..`gsi3`) serve the access patterns,
each item type writing its own key prefixes:
- case: gsi1 = officer queue (`QUEUE#<jurisdiction>#<status>`, `<statusSince>#<caseId>`),
        gsi2 = cases by jurisdiction and day (`DAY#<jurisdiction>#<date>`),
        gsi3 = cases with a provisional deadline (`PROVISIONAL#<year>`, sparse: store/calendar.py)
- party: gsi1 = cases of a person (`PERSON#<keyed hash of ID number>`)
- outbox: gsi1 = pending messages (`OUTBOX#PENDING#<channel>#<shard>`, `<nextAttemptAt>#<id>`)
- claim: gsi2 = insurer clock per unit (`CLAIMCLOCK#<unit>`), gsi3 = an insurer's claims (`INSURER#<code>`)
- staff: gsi1 = staff by role (`STAFF#<role>`)
- tow truck: gsi1 = standby trucks by geohash (`TOWGEO#<gh3>`), gsi2 = a city's fleet (`FLEET#<city>`)
- rescue order: gsi1 = dispatch queue (`RESCUEQ#<jurisdiction>#<status>`), gsi2 = dispatcher alerts (`RESCUEALERT#<jurisdiction>`),
                gsi3 = open orders by due time (`RESCUEDUE#<shard>`, sparse: the sweeper's read)
- hospital admission pointer: gsi1 = a hospital's admissions (`HOSPADM#<hospital>`, `<admittedAt>#<admissionId>`: store/medical.py)
The table name comes from settings when first used, so tests and stages can change it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)

from chalicelib.domain.claim import ClaimClock, ClaimLimits
from chalicelib.domain.decisions import Agreement, Determination
from chalicelib.domain.dispatch import Candidate
from chalicelib.domain.evidence import Flag
from chalicelib.domain.mediation import Mediation
from chalicelib.domain.rescue_order import Alert, Eta, Offer, Pickup, Waiting
from chalicelib.domain.review import Review
from chalicelib.store.table import Gsi1, Gsi2, Gsi3, TableDefinition, TableItem, TableMeta, reset_connections, table_spec
from chalicelib.store.typed_attributes import TypedListAttribute, TypedMapAttribute

__all__ = ["TableDefinition", "TableItem", "reset_connections", "table_spec"]  # the table, for infra code


class CaseItem(TableItem):
    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    status = UnicodeAttribute()
    status_since = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    reported_at = UnicodeAttribute()
    reported_by = UnicodeAttribute()
    channel = UnicodeAttribute()
    weather = UnicodeAttribute()
    location = MapAttribute()  # type: ignore[var-annotated]
    injuries = BooleanAttribute()
    injury_agreed_remote = BooleanAttribute(null=True)  # withdrawn (ADR 0013); kept on cases written before
    injury_severity = UnicodeAttribute(null=True)  # SLIGHT, SERIOUS or FATAL when someone is injured
    vehicles_movable = BooleanAttribute()
    screening = MapAttribute()  # type: ignore[var-annotated]
    eligibility = MapAttribute()  # type: ignore[var-annotated]
    party_count = NumberAttribute(default=0)
    # Cases written before ADR 0040's "The case item" carry it here; it lives on `DeterminationItem` now.
    determination: TypedMapAttribute[Determination] = TypedMapAttribute(Determination, null=True)
    agreement: TypedMapAttribute[Agreement] = TypedMapAttribute(Agreement, null=True)
    signatures = MapAttribute(default=dict)  # type: ignore[var-annotated]
    review: TypedMapAttribute[Review] = TypedMapAttribute(Review, null=True)  # 复核 (Art.71-79), once per case
    mediation: TypedMapAttribute[Mediation] = TypedMapAttribute(Mediation, null=True)  # police mediation (Art.84-94)
    audit_seq = NumberAttribute(default=0)
    audit_head = UnicodeAttribute(default="")
    room_seq = NumberAttribute(default=0)  # the number of the room's latest message (store/room.py)
    version = VersionAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)  # `PROVISIONAL#<year>` while a deadline waits for that year's calendar
    gsi3sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()  # the unit's cases by day: the report rebuild's read
    gsi3 = Gsi3()


class DeterminationItem(TableItem):
    """The officer's determination (sk `#DETERMINATION`): off the case item, rewritten with every change."""

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    determination: TypedMapAttribute[Determination] = TypedMapAttribute(Determination)


class PartyItem(TableItem):
    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    party_id = UnicodeAttribute()
    position = NumberAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    id_type = UnicodeAttribute(default="RESIDENT_ID")
    id_number = UnicodeAttribute()
    consents_to_remote = BooleanAttribute(null=True)  # the party's answer to remote handling of an injury
    kind = UnicodeAttribute()
    vehicle = MapAttribute(null=True)  # type: ignore[var-annotated]
    token_id = UnicodeAttribute()
    openid = UnicodeAttribute(null=True)  # the WeChat user who joined as this party
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)  # `OPENID#<openid>`: a WeChat user's cases
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()


class EvidenceItem(TableItem):
    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    evidence_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    party_id = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()
    captured_at = UnicodeAttribute()
    lat = NumberAttribute()
    lng = NumberAttribute()
    status = UnicodeAttribute()
    upload_key = UnicodeAttribute()
    object_key = UnicodeAttribute(null=True)
    object_version = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    verified_at = UnicodeAttribute(null=True)
    flags = TypedListAttribute(Flag, default=list)  # what the officer should weigh (ADR 0015)
    # The completion that claimed the shot (ADR 0006): its token, since when, and the upload version it verified.
    seal_claim = UnicodeAttribute(null=True)
    sealing_since = UnicodeAttribute(null=True)
    upload_version = UnicodeAttribute(null=True)


class DocumentItem(TableItem):
    """A document issued on a case (sk `DOCUMENT#<id>`), stored write-once in S3."""

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    document_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # LIABILITY_LETTER, AGREEMENT
    number = UnicodeAttribute()
    revision = NumberAttribute(default=1)
    supersedes = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute()
    object_version = UnicodeAttribute(null=True)
    sha256 = UnicodeAttribute()
    size = NumberAttribute()
    issued_at = UnicodeAttribute()


class _CasePointer(TableItem):
    """An item that names only the case another item lives on: pk `<KIND>#<id>`, sk `#<KIND>`."""

    KIND: ClassVar[str]

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()

    @classmethod
    def to(cls, item_id: str, case_id: str, **attributes: Any) -> Self:
        return cls(pk=f"{cls.KIND}#{item_id}", sk=f"#{cls.KIND}", case_id=case_id, **attributes)

    @classmethod
    def lookup(cls, item_id: str) -> Self | None:
        try:
            return cls.get(f"{cls.KIND}#{item_id}", f"#{cls.KIND}")
        except cls.DoesNotExist:
            return None


class DocumentPointer(_CasePointer):
    """`DOCUMENT#<id>` → its case: lets /verify find a document from the QR code alone."""

    KIND = "DOCUMENT"


class ClaimItem(TableItem):
    """A claim to one vehicle's insurer (sk `CLAIM#<id>`); money in fen.

    gsi2 = open claims by insurer-clock due date per unit (`CLAIMCLOCK#<unit>`, `<due>#<claimId>`);
    gsi3 = an insurer's claims (`INSURER#<code>`, `<reportedAt>#<claimId>`).
    """

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    claim_id = UnicodeAttribute()
    insurer_code = UnicodeAttribute()
    party_id = UnicodeAttribute()
    policy_no = UnicodeAttribute()
    status = UnicodeAttribute()
    status_since = UnicodeAttribute()
    reported_at = UnicodeAttribute()
    liability = UnicodeAttribute()
    limits: TypedMapAttribute[ClaimLimits] = TypedMapAttribute(ClaimLimits)
    mutual_self_pay = BooleanAttribute(default=False)
    declared_loss = NumberAttribute(null=True)
    assessed_amount = NumberAttribute(null=True)
    assessed_items = ListAttribute(null=True)  # type: ignore[var-annotated]
    paid_amount = NumberAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    documents_requested = ListAttribute(null=True)  # type: ignore[var-annotated]
    rejection_reason = UnicodeAttribute(null=True)
    clock: TypedMapAttribute[ClaimClock] = TypedMapAttribute(ClaimClock, null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    gsi3 = Gsi3()


class ClaimPointer(_CasePointer):
    """`CLAIM#<id>` → its case and insurer: an insurer's webhook names only the claim."""

    KIND = "CLAIM"

    insurer_code = UnicodeAttribute()


class WebhookReceipt(TableItem):
    """`WEBHOOK#<insurer>#<webhook-id>`: an inbound webhook already applied (kept a week)."""

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    expires_at = TTLAttribute()


class DeliveryItem(TableItem):
    """One delivery attempt (pk `DELIVERIES#<insurer>`, sk `<at>#<outboxId>#<attempt>`)."""

    class Meta(TableMeta):
        pass

    outbox_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    insurer_code = UnicodeAttribute()
    topic = UnicodeAttribute()
    case_id = UnicodeAttribute()
    attempt = NumberAttribute()
    at = UnicodeAttribute()
    outcome = UnicodeAttribute()  # DELIVERED, RETRY, DEAD, ENDPOINT_GONE, REFUSED_URL
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    ms = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class OnceItem(TableItem):
    """A key used once: a WeChat push already answered, an OAuth state already spent."""

    class Meta(TableMeta):
        pass

    value = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()


class AuditItem(TableItem):
    """An entry of a case's hash-chained log (pk `AUDIT#<caseId>`, sk the sequence number)."""

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    seq = NumberAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    detail = MapAttribute()  # type: ignore[var-annotated]
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()


class OutboxItem(TableItem):
    class Meta(TableMeta):
        pass

    outbox_id = UnicodeAttribute()
    channel = UnicodeAttribute()  # NOTICE (WeChat or SMS, chosen at delivery), WEBHOOK
    topic = UnicodeAttribute()
    case_id = UnicodeAttribute()
    recipient = UnicodeAttribute()  # party id or organisation code, never a phone number
    payload = MapAttribute()  # type: ignore[var-annotated]
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()


class IdempotencyItem(TableItem):
    class Meta(TableMeta):
        pass

    result_id = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    expires_at = TTLAttribute()


class ReferenceItem(TableItem):
    """Seeded partners: pk `REF#<kind>` (INSURER, HOSPITAL, SERVICE_POINT), sk the code."""

    class Meta(TableMeta):
        pass

    code = UnicodeAttribute()
    name = UnicodeAttribute()
    attributes = MapAttribute(default=dict)  # type: ignore[var-annotated]


class TowTruckItem(TableItem):
    """A tow truck (pk `TRUCK#<id>`); `version` serialises its driver, dispatch and the fleet seed.

    gsi1 = standby trucks by place (`TOWGEO#<geohash 3>`, `<geohash 9>#<truckId>`), present
    only while the truck is on standby; gsi2 = the fleet of a city (`FLEET#<city>`, truck id).
    """

    class Meta(TableMeta):
        pass

    truck_id = UnicodeAttribute()
    plate = UnicodeAttribute()
    company = UnicodeAttribute()
    status = UnicodeAttribute()
    status_since = UnicodeAttribute(null=True)
    lat = NumberAttribute()
    lng = NumberAttribute()
    position_at = UnicodeAttribute(null=True)
    fleet = UnicodeAttribute(null=True)
    geohash = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)  # the rescue order it is offered or assigned
    case_id = UnicodeAttribute(null=True)
    version = VersionAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class RescueOrderItem(TableItem):
    """A rescue work order on a case (sk `RESCUE#<orderId>`), with every offer made for it.

    gsi1 = the dispatch queue (`RESCUEQ#<jurisdiction>#<status>`, `<statusSince>#<orderId>`);
    gsi2 = orders a dispatcher was alerted about (`RESCUEALERT#<jurisdiction>`, `<at>#<orderId>`);
    gsi3 = open orders by when the workflow must next have moved them (`RESCUEDUE#<shard>`, `<due>#<orderId>`).
    """

    class Meta(TableMeta):
        pass

    order_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    seq = NumberAttribute()
    jurisdiction = UnicodeAttribute()
    status = UnicodeAttribute()
    status_since = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    party_id = UnicodeAttribute()
    insurer_code = UnicodeAttribute(null=True)
    pickup = TypedMapAttribute(Pickup)
    destination = UnicodeAttribute(null=True)  # a repair shop code
    notes = UnicodeAttribute(null=True)
    execution_name = UnicodeAttribute()  # the current round's run
    round = NumberAttribute(default=1)  # dispatch rounds: a dispatcher may start another after an escalation
    candidates = TypedListAttribute(Candidate, default=list)
    offers = TypedListAttribute(Offer, default=list)
    truck_id = UnicodeAttribute(null=True)
    eta = TypedMapAttribute(Eta, null=True)
    waiting = TypedMapAttribute(Waiting, null=True)  # the callback the workflow waits for
    alerts = TypedListAttribute(Alert, default=list)
    arrived_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    dropoff = UnicodeAttribute(null=True)
    handoff_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)  # why it escalated, failed or was cancelled
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)  # `RESCUEALERT#<jurisdiction>` while a dispatcher alert is open
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)  # `RESCUEDUE#<shard>` while the order is open (store/rescue.py)
    gsi3sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()


class RescuePointer(_CasePointer):
    """`RESCUE#<orderId>` → its case: a driver's call names only the order."""

    KIND = "RESCUE"


class HandoffItem(TableItem):
    """The vehicle handed to a repair shop (汽修快赔) at the end of a rescue (sk `HANDOFF#<id>`)."""

    class Meta(TableMeta):
        pass

    handoff_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    party_id = UnicodeAttribute()
    repair_shop = UnicodeAttribute()
    truck_id = UnicodeAttribute()
    insurer_code = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute()


class StaffItem(TableItem):
    class Meta(TableMeta):
        pass

    staff_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    badge = UnicodeAttribute()
    jurisdiction = UnicodeAttribute(null=True)
    org = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
