"""Reporting a case: screen it, store it with its parties, hand each party its access."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import config
from chalicelib.contracts.cases import CaseCreated, Channel, CreateCase, EligibilityView, PartyAccess
from chalicelib.domain import case_status, eligibility, ids, jurisdiction
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import ValidationFailed
from chalicelib.observability import CASES_REPORTED, count
from chalicelib.services import notices, wechat_oauth
from chalicelib.services.access import lookup_hash, party_link, party_token
from chalicelib.settings import get_settings
from chalicelib.store import case_items, reference
from chalicelib.store import cases as store


def eligibility_view(result: dict) -> EligibilityView:
    return EligibilityView.model_validate(result)


def access_reply(record: store.CaseRecord) -> CaseCreated:
    issued_at = datetime.fromisoformat(record.case.reported_at)
    parties = []
    for party in record.parties:
        token = party_token(record.case.case_id, party.party_id, party.token_id, issued_at)
        parties.append(PartyAccess(party_id=party.party_id, token=token, link=party_link(record.case.case_id, token)))
    return CaseCreated(
        case_id=record.case.case_id,
        status=record.case.status,
        eligibility=eligibility_view(record.case.eligibility.as_dict()),
        parties=parties,
    )


def _check_insurers(body: CreateCase) -> None:
    wanted = {p.vehicle.insurer_code for p in body.parties if p.vehicle and p.vehicle.insurer_code}
    known = reference.existing_codes("INSURER", wanted)
    for index, party in enumerate(body.parties):
        if party.vehicle and party.vehicle.insurer_code and party.vehicle.insurer_code not in known:
            raise ValidationFailed("unknown insurer code (see GET /insurers)", field=f"parties[{index}].vehicle.insurerCode")


def _check_occurred_at(body: CreateCase, now: datetime) -> None:
    """Within the clock skew of now, and not older than the reporting limit (ADR 0013): the remote
    intake is for an accident being reported now; one reported later goes through Order 146 Art.18
    (police check within 3 days whether to accept it), which this intake does not run."""
    if body.occurred_at > now.replace(microsecond=0) + store.CLOCK_SKEW:
        raise ValidationFailed("is in the future", field="occurredAt")
    limit = timedelta(hours=get_settings().reporting_limit_hours)
    if body.occurred_at < now - limit:
        raise ValidationFailed(
            f"is more than {get_settings().reporting_limit_hours} hours ago: report it to the police in person "
            "(Order 146 Art.18)", field="occurredAt",
        )


def _check_injury_answers(body: CreateCase) -> None:
    """Order 146 Art.23: how badly someone is hurt, and whether every party agrees (ADR 0013)."""
    if not body.injuries:
        if body.injury_severity is not None:
            raise ValidationFailed("is given only when injuries is true", field="injurySeverity")
        return
    if body.injury_severity is None:
        raise ValidationFailed("is required when injuries is true: SLIGHT, SERIOUS or FATAL", field="injurySeverity")
    for index, party in enumerate(body.parties):
        if party.consents_to_remote is None:
            raise ValidationFailed(
                "is required when injuries is true: the party's answer to remote handling (true or false)",
                field=f"parties[{index}].consentsToRemote",
            )


def report(principal: Principal, body: CreateCase, idempotency_key: str | None) -> CaseCreated:
    fingerprint = store.request_fingerprint(body.wire())
    if idempotency_key:
        earlier = store.replayed_case_id(principal, idempotency_key, fingerprint)
        if earlier:
            return access_reply(store.load(earlier))
    _check_occurred_at(body, store.utcnow())
    _check_injury_answers(body)
    unit = jurisdiction.resolve_unit(body.location.lat, body.location.lng, config.load("jurisdictions")["units"])
    if unit is None:
        raise ValidationFailed("is outside every area this service covers", field="location")
    _check_insurers(body)
    reporter_openid = principal.subject if principal.role is Role.WECHAT_USER else None
    if reporter_openid and body.channel is not Channel.WECHAT:
        raise ValidationFailed("a report made in WeChat has the channel WECHAT", field="channel")

    assessed = eligibility.assess(
        screening=body.screening.model_dump(),
        injuries=body.injuries,
        injury_severity=body.injury_severity,
        consents=[p.consents_to_remote for p in body.parties],
        vehicles_movable=body.vehicles_movable,
    )
    now = store.utcnow()
    reported_at = store.iso(now)
    case_id = ids.new_case_id(now)
    status = case_status.EVIDENCE_PENDING if assessed.remote else case_status.REFERRED_ON_SCENE
    case = case_items.new_case(
        case_id,
        jurisdiction=unit.code,
        status=status,
        reported_at=reported_at,
        occurred_on=body.occurred_at.date().isoformat(),
        occurred_at=body.occurred_at.isoformat(),
        reported_by=principal.audit_name,
        channel=body.channel.value,
        weather=body.weather.value,
        location=body.location.model_dump(),
        injuries=body.injuries,
        injury_severity=body.injury_severity.value if body.injury_severity else None,
        vehicles_movable=body.vehicles_movable,
        party_count=len(body.parties),
        screening=body.screening.model_dump(),
        eligibility={
            "remote": assessed.remote,
            "selfSettlementAllowed": assessed.self_settlement_allowed,
            "reasons": [{"code": r.code, "article": r.article, "text": r.text} for r in assessed.reasons],
        },
    )
    parties = [
        case_items.new_party(
            case_id,
            party_id,
            lookup_hash(party.id_number),
            position=position,
            name=party.name,
            phone=party.phone,
            id_type=party.id_type.value,
            id_number=party.id_number,
            consents_to_remote=party.consents_to_remote,
            kind=party.kind.value,
            vehicle=party.vehicle.model_dump(by_alias=True) if party.vehicle else None,
            token_id=ids.new_token_id(),
        )
        for position, party in enumerate(body.parties, start=1)
        for party_id in [ids.new_party_id()]
    ]
    if reporter_openid:
        # The WeChat user who reports is the first party; others join with their own link.
        wechat_oauth.bind(reporter_openid, case_id, parties[0])
    change = store.Change(
        puts=[notices.to_party(case_id, p.party_id, "case.link", reported_at, with_link=assessed.remote,
                               template="case.link.remote" if assessed.remote else "case.link.on_scene") for p in parties],
        action="CASE_REPORTED" if assessed.remote else "REFERRED_ON_SCENE",
        detail={
            "channel": body.channel.value,
            "status": status,
            "parties": [p.party_id for p in parties],
            "reasons": [r.code for r in assessed.reasons],
        },
    )
    key = (idempotency_key, fingerprint, get_settings().idempotency_hours) if idempotency_key else None
    if not store.create(principal, case, parties, change, key):
        earlier = store.replayed_case_id(principal, idempotency_key or "", fingerprint)
        return access_reply(store.load(earlier or case_id))
    case.version = 1
    count(CASES_REPORTED)
    return access_reply(store.CaseRecord(case, parties))

