"""The direct-pay ledger of a case: per application what was billed, guaranteed, paid, advanced
by the fund, still outstanding and to recover, and who may see which line."""

from __future__ import annotations

from chalicelib import config
from chalicelib.contracts.medical import BillView, LedgerTotals, MedicalLedger, MedicalView
from chalicelib.domain.medical import MedicalApplication, Windows, coverage
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import NotFound
from chalicelib.services.medical.payers import PayerAmounts, applications_owed_by, payer_amounts
from chalicelib.store import cases as store


def windows() -> Windows:
    return Windows.from_config(config.load("medical"))


def _iso(value: object) -> str | None:
    return store.iso(value) if value is not None else None  # type: ignore[arg-type]


def view(application: MedicalApplication, amounts: PayerAmounts | None = None, with_token: bool = True) -> MedicalView:
    """One application as its reader sees it; the QR token only for the patient's side and police."""
    paid = amounts or PayerAmounts()
    billed = application.billed_fen
    covered = coverage(application.bills, application.admitted_at, windows()) if application.admitted_at else None
    return MedicalView(
        application_id=application.application_id, case_id=application.case_id,
        injured_party_id=application.injured_party_id, hospital_code=application.hospital_code,
        status=str(application.status), status_since=application.status_since, requested_at=application.requested_at,
        approved_at=application.approved_at, rejection_reason=application.rejection_reason,
        qr_token=application.qr_token if with_token else None, qr_expires_at=application.qr_expires_at,
        notice_document_id=application.notice_document_id, admission_id=application.admission_id,
        admitted_at=_iso(application.admitted_at),
        bills=[BillView(name=b.name, amount=b.amount, service_date=store.iso(b.service_date)) for b in application.bills],
        billed=billed, direct_pay_window=covered.direct_pay_fen if covered else 0,
        fund_window=covered.fund_window_fen if covered else 0,
        guaranteed=paid.guaranteed, paid=paid.paid, fund_advanced=paid.fund_advanced,
        outstanding=max(0, billed - paid.paid - paid.fund_advanced), to_recover=paid.to_recover,
    )


def visible(principal: Principal, record: store.CaseRecord) -> list[MedicalApplication]:
    """A hospital sees the patients it admitted; a party or WeChat user their own applications;
    an insurer the applications one of its vehicles owes something for; police every application."""
    if principal.role is Role.HOSPITAL:
        return [a for a in record.medical if a.hospital_code == principal.org and a.admission_id]
    if principal.role is Role.INSURER:
        owed = applications_owed_by(record.case.case_id, principal.org or "") if record.medical else set()
        return [a for a in record.medical if a.application_id in owed]
    if principal.role is Role.PARTY:
        return [a for a in record.medical if a.injured_party_id == principal.subject]
    if principal.role is Role.WECHAT_USER:
        mine = {p.party_id for p in record.parties if p.openid == principal.subject}
        return [a for a in record.medical if a.injured_party_id in mine]
    return list(record.medical)


def ledger(principal: Principal, case_id: str) -> MedicalLedger:
    record = store.load_for(principal, case_id)
    shown = visible(principal, record)
    if principal.role is Role.HOSPITAL and not shown:
        raise NotFound("no such case", field="caseId")
    amounts = payer_amounts(case_id) if shown else {}
    with_token = principal.role in {Role.PARTY, Role.WECHAT_USER} or principal.is_police
    lines = [view(a, amounts.get(a.application_id), with_token) for a in shown]
    totals = LedgerTotals(
        billed=sum(v.billed for v in lines), guaranteed=sum(v.guaranteed for v in lines), paid=sum(v.paid for v in lines),
        fund_advanced=sum(v.fund_advanced for v in lines), outstanding=sum(v.outstanding for v in lines),
        to_recover=sum(v.to_recover for v in lines),
    )
    return MedicalLedger(case_id=case_id, applications=lines, totals=totals)
