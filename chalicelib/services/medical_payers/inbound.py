"""An insurer's answers to an emergency-cost notice: `medical.guaranteed`, then `medical.paid`.

Verified and de-duplicated exactly as the claim events (`services.insurer_webhooks` checks the
signature on the raw body and hands the event here); the receipt is written in the same case
transaction as the amount it records, so a retried delivery changes nothing. Amounts are in fen:
a guarantee is the total the insurer stands behind, a payment adds to what it paid; neither may
exceed what it was asked for.
"""

from __future__ import annotations

from chalicelib.contracts.claims import WebhookAck
from chalicelib.contracts.fund import MedicalEvent
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import AmountExceedsDue, NotFound
from chalicelib.store import cases as store
from chalicelib.store import medical_payers as payer_store
from chalicelib.store import webhook_receipts


def receive(insurer_code: str, webhook_id: str, event: MedicalEvent) -> WebhookAck:
    application_id = event.data.application_id
    case_id = payer_store.case_of(application_id)
    if case_id is None:
        raise NotFound("no such application for this insurer", field="data.applicationId")
    principal = Principal(subject=f"webhook:{insurer_code}", role=Role.INSURER, org=insurer_code)
    duplicate: list[bool] = []

    def decide(record: store.CaseRecord) -> list[store.Change]:
        if webhook_receipts.exists(insurer_code, webhook_id):
            duplicate.append(True)
            return []
        due = next((d for d in payer_store.of_case(case_id).dues
                    if d.application_id == application_id and d.insurer_code == insurer_code), None)
        if due is None:
            # Another insurer's application is, for this insurer, one that does not exist.
            raise NotFound("no such application for this insurer", field="data.applicationId")
        amount = event.data.amount
        at = store.iso(store.utcnow())
        condition = payer_store.changed(due, at)
        if event.type == "medical.guaranteed":
            if amount > int(due.due):
                raise AmountExceedsDue(f"guarantees {amount} fen, more than the {int(due.due)} fen asked for", field="data.amount")
            due.guaranteed = amount
        else:
            if int(due.paid) + amount > int(due.due):
                raise AmountExceedsDue(f"would make {int(due.paid) + amount} fen paid, more than the {int(due.due)} fen due",
                                       field="data.amount")
            due.paid = int(due.paid) + amount
        detail = {"applicationId": application_id, "vehicleId": due.vehicle_id, "insurerCode": insurer_code, "type": event.type,
                  "amount": amount, "due": int(due.due), "guaranteed": int(due.guaranteed), "paid": int(due.paid),
                  "webhookId": webhook_id}
        action = "MEDICAL_GUARANTEED" if event.type == "medical.guaranteed" else "MEDICAL_PAID"
        return [store.Change(action=action, detail=detail, puts=[webhook_receipts.new(insurer_code, webhook_id, case_id)],
                             replaces=[(due, condition)])]

    store.mutate(principal, case_id, decide)
    return WebhookAck(received=True, duplicate=bool(duplicate), application_id=application_id)
