"""Insurer → platform webhooks: verified on the raw body, applied once, in order."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.contracts.claims import InsurerEvent, WebhookAck
from chalicelib.contracts.common import validation_failed
from chalicelib.domain import insurance
from chalicelib.domain.claim import Claim
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.integrations import insurer_secrets, webhooks
from chalicelib.services import claims_clock, notices
from chalicelib.services.claims import set_clock
from chalicelib.store import cases as store
from chalicelib.store import reference, webhook_receipts
from chalicelib.store.models import ClaimPointer

T = TypeVar("T", bound=BaseModel)


def _apply(claim: Claim, event: InsurerEvent, at: str) -> dict[str, Any]:
    """Move the claim and keep what the event carries; returns the audit detail."""
    data = event.data
    claim.status = insurance.next_status(claim.status, event.type).value
    claim.status_since = at
    if event.type == "claim.documents_requested":
        if not data.documents:
            raise ValidationFailed("lists the documents needed", field="data.documents")
        claim.documents_requested = list(data.documents)
    elif event.type == "claim.loss_assessed":
        if data.amount is None:
            raise ValidationFailed("is required (fen)", field="data.amount")
        claim.assessed_amount = data.amount
        claim.assessed_items = [item.model_dump() for item in data.items or []]
    elif event.type == "claim.paid":
        if data.amount is None or not data.paid_at:
            raise ValidationFailed("amount (fen) and paidAt are required", field="data.amount")
        claim.paid_amount = data.amount
        claim.paid_at = data.paid_at
    elif event.type == "claim.rejected":
        if not data.reason:
            raise ValidationFailed("is required", field="data.reason")
        claim.rejection_reason = data.reason
    return {"claimId": claim.claim_id, "type": event.type, "status": claim.status, "amount": data.amount}


def _is_medical(raw_body: bytes) -> bool:
    """A direct-pay event (`medical.*`) rather than a claim event; anything unreadable is left to the claim model's errors."""
    try:
        event = json.loads(raw_body)
    except ValueError:
        return False
    return isinstance(event, dict) and str(event.get("type", "")).startswith("medical.")


def _receive_medical(insurer_code: str, webhook_id: str, raw_body: bytes) -> WebhookAck:
    from chalicelib.contracts.fund import MedicalEvent
    from chalicelib.services.medical_payers import inbound

    # A repeated webhook-id is recognised inside the case transaction there, as here.
    return inbound.receive(insurer_code, webhook_id, _parsed(MedicalEvent, raw_body))


def _parsed(model: type[T], raw_body: bytes) -> T:
    try:
        return model.model_validate_json(raw_body)
    except ValidationError as error:
        raise validation_failed(error) from error


def receive(insurer_code: str, headers: Any, raw_body: bytes) -> WebhookAck:
    if not reference.existing_codes("INSURER", [insurer_code]):
        raise NotFound("no such insurer", field="insurerCode")
    now = store.utcnow()
    webhook_id = webhooks.verify(insurer_secrets.secrets_in_force(insurer_code, now), headers, raw_body, now)
    if _is_medical(raw_body):
        return _receive_medical(insurer_code, webhook_id, raw_body)
    event = _parsed(InsurerEvent, raw_body)
    if webhook_receipts.exists(insurer_code, webhook_id):
        return WebhookAck(received=True, duplicate=True, claim_id=event.data.claim_id)
    pointer = ClaimPointer.lookup(event.data.claim_id)
    if pointer is None or pointer.insurer_code != insurer_code:
        # Another insurer's claim is, for this insurer, a claim that does not exist.
        raise NotFound("no such claim for this insurer", field="data.claimId")

    principal = Principal(subject=f"webhook:{insurer_code}", role=Role.INSURER, org=insurer_code)
    result: dict[str, Any] = {}

    def decide(record: store.CaseRecord) -> list[store.Change]:
        if webhook_receipts.exists(insurer_code, webhook_id):
            result["duplicate"] = True
            return []
        claim = record.claim(event.data.claim_id)
        if claim is None:
            raise NotFound("no such claim for this insurer", field="data.claimId")
        before = claim.status
        now = store.utcnow()
        at = store.iso(now)
        late = claims_clock.is_late(claim, now)
        # The duty ran out before the sweep saw it: recorded here, once, before the act moves the clock on.
        ran_out = claims_clock.ran_out(claim, now)
        detail = _apply(claim, event, at)
        set_clock(claim, datetime.fromisoformat(at))
        # Put with the change it records: a retry of this webhook finds it, or finds nothing changed.
        puts: list[Any] = [webhook_receipts.new(insurer_code, webhook_id, record.case.case_id)]
        if event.type == "claim.paid":
            puts.append(notices.to_party(record.case.case_id, claim.party_id, "claim.paid", at))
        result["status"] = claim.status
        return [
            *([ran_out] if ran_out is not None else []),
            store.Change(
                action=f"CLAIM_{event.type.split('.', 1)[1].upper()}",
                detail={**detail, "webhookId": webhook_id, "insurerCode": insurer_code, "overdue": late},
                puts=puts,
                replaces=[(claim, before)],
            )
        ]

    store.mutate(principal, pointer.case_id, decide)
    return WebhookAck(
        received=True, duplicate=bool(result.get("duplicate")), claim_id=event.data.claim_id, status=result.get("status")
    )
