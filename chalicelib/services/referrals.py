"""Offline referrals: a party or an officer books an appointment at a service point for a party of
the case, inside the case's transaction (audited, the party told through the outbox, the point's
day count raised on condition, ADR 0022); the case's appointments; a point's queue of a day."""

from __future__ import annotations

from chalicelib import config
from chalicelib.contracts.referrals import AppointmentsQuery, BookReferral, PointAppointments, ReferralList, ReferralView
from chalicelib.domain import ids, referrals
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.referrals import Appointment, ServicePoint
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.services import access, notices
from chalicelib.services import calendar as calendars
from chalicelib.services.room import messages as room
from chalicelib.services.room.members import party_label
from chalicelib.store import cases as store
from chalicelib.store import referrals as referral_store
from chalicelib.store.seed import DEFAULT_SEED


def points() -> dict[str, ServicePoint]:
    """The service points with their hours and daily capacity, from the seed configuration."""
    return referrals.service_points(config.load(DEFAULT_SEED)["servicePoints"])


def _view(appointment: Appointment, point: ServicePoint) -> ReferralView:
    return ReferralView(
        referral_id=appointment.referral_id, case_id=appointment.case_id, party_id=appointment.party_id,
        service_point_code=point.code, service_point_name=point.name, service=appointment.service, date=appointment.day,
        opens=f"{point.opens:%H:%M}", closes=f"{point.closes:%H:%M}", status=appointment.status, booked_at=appointment.booked_at,
    )


def _party_of(principal: Principal, record: store.CaseRecord, named: str | None) -> str:
    """The party the appointment is for: named, or the caller itself when it is a party."""
    party_id = named
    if not party_id and principal.role is Role.PARTY:
        party_id = principal.subject
    elif not party_id and principal.role is Role.WECHAT_USER:
        party_id = next((p.party_id for p in record.parties if p.openid == principal.subject), None)
    if not party_id:
        raise ValidationFailed("name the party the appointment is for", field="partyId")
    if record.party(party_id) is None:
        raise ValidationFailed("is not a party of this case", field="partyId")
    access.ensure_acts_for(principal, record, party_id, field="partyId")
    return party_id


def book(principal: Principal, case_id: str, body: BookReferral) -> tuple[ReferralView, bool]:
    """Book the day, or return the party's appointment already booked there that day (a retried
    request books once); True when it was booked now."""
    point = points().get(body.service_point_code)
    if point is None:
        raise ValidationFailed("is not a service point code (GET /service-points)", field="servicePointCode")
    day = body.preferred_date
    calendar = calendars.current()
    referrals.ensure_bookable(point, body.service, day, store.utcnow(), calendar)
    standing: list[Appointment] = []

    def decide(record: store.CaseRecord) -> store.Change | list[store.Change]:
        party_id = _party_of(principal, record, body.party_id)
        held = [a for a in referral_store.for_case(case_id)
                if a.party_id == party_id and a.point_code == point.code and a.status == referrals.BOOKED]
        if any(a.day == day for a in held):
            standing.append(next(a for a in held if a.day == day))
            return []
        if held:
            raise Conflict(f"this party already has an appointment at {point.code} on {held[0].day.isoformat()}",
                           field="preferredDate")
        booked = referral_store.booked_days(point.code, day, referrals.search_window(day)[1])
        referrals.ensure_room(point, day, booked, calendar)
        at = store.iso(store.utcnow())
        appointment = Appointment(referral_id=ids.new_referral_id(), case_id=case_id, party_id=party_id, point_code=point.code,
                                  service=point.service, day=day, status=referrals.BOOKED, booked_by=principal.audit_name,
                                  booked_at=at)
        puts, replaces = referral_store.booking(appointment, booked)
        puts.append(notices.to_party(case_id, party_id, "referral.booked", at, point=point.name, day=notices.day(day.isoformat()),
                                     opens=f"{point.opens:%H:%M}", closes=f"{point.closes:%H:%M}", referral_id=appointment.referral_id))
        detail = {"referralId": appointment.referral_id, "partyId": party_id, "servicePointCode": point.code,
                  "service": point.service.value, "date": day.isoformat()}
        shown = room.announce(record, "referral.booked", at, party=party_label(record, party_id), point=point.name,
                              day=notices.day(day.isoformat()), opens=f"{point.opens:%H:%M}", closes=f"{point.closes:%H:%M}")
        return [shown, store.Change(action="REFERRAL_BOOKED", detail=detail, puts=puts, replaces=replaces, result=appointment)]

    applied = store.mutate(principal, case_id, decide)
    appointment = applied.result or standing[-1]
    return _view(appointment, point), applied.result is not None


def for_case(principal: Principal, case_id: str) -> ReferralList:
    store.load_for(principal, case_id)  # who may see the case may see its appointments
    known = points()
    return ReferralList(items=[_view(a, known[a.point_code]) for a in referral_store.for_case(case_id)])


def queue(code: str, query: AppointmentsQuery) -> PointAppointments:
    point = points().get(code)
    if point is None:
        raise NotFound("no such service point (GET /service-points)", field="code")
    found, next_token = referral_store.queue(code, query.date, query.limit, query.next_token)
    booked = referral_store.booked_days(code, query.date, query.date).get(query.date, 0)
    return PointAppointments(service_point_code=code, service_point_name=point.name, date=query.date, daily_capacity=point.daily_capacity,
                             booked=booked, items=[_view(a, point) for a in found], next_token=next_token)
