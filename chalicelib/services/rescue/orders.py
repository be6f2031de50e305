"""One-click rescue, the case side: the tap that opens a work order and reports it to the insurer,
the order as parties and police see it, cancelling, another dispatch round, and the dispatcher's queue.

Every change to an order goes through the case's versioned transaction, so the workflow, the
driver and a cancelling officer never lose each other's updates and each change is audited.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.contracts.common import Location
from chalicelib.contracts.rescue import (
    AreaBox,
    CancelRescue,
    QueueQuery,
    RequestRescue,
    RescueArea,
    RescueQueue,
    RescueQueueEntry,
    RescueView,
)
from chalicelib.domain import dispatch, ids, jurisdiction
from chalicelib.domain.principals import POLICE, Principal, Role
from chalicelib.domain.rescue_order import Pickup
from chalicelib.errors import Forbidden, NotFound, Unavailable, ValidationFailed
from chalicelib.integrations import workflows
from chalicelib.services import access
from chalicelib.services.rescue.order import close, order_of, order_view, tell_owner
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import fleet, outbox, paging, reference
from chalicelib.store import rescue as order_store
from chalicelib.store.models import RescueOrderItem


def _rescued_party(principal: Principal, record: store.CaseRecord, body: RequestRescue) -> str:
    named = {v for v in (body.party_id, body.vehicle_id) if v}
    if len(named) > 1:
        raise ValidationFailed("partyId and vehicleId name different vehicles; send one", field="vehicleId")
    party_id = next(iter(named), None)
    if principal.role is Role.PARTY:
        party_id = party_id or principal.subject
    elif principal.role is Role.WECHAT_USER and not party_id:
        party_id = next((p.party_id for p in record.parties if p.openid == principal.subject), None)
    if not party_id:
        raise ValidationFailed("name the party whose vehicle needs towing", field="partyId")
    party = record.party(party_id)
    if party is None:
        raise ValidationFailed("is not a party of this case", field="partyId")
    if party.vehicle is None:
        raise ValidationFailed("this party has no vehicle to tow", field="partyId")
    access.ensure_acts_for(principal, record, party_id, field="vehicleId" if body.vehicle_id else "partyId")
    return party_id


def _ensure_served(pickup: Location, case_unit: str) -> None:
    """The pickup must lie where the case's city fleet works: a slip of the phone's GPS must not
    send a truck to another city."""
    unit = jurisdiction.resolve_unit(pickup.lat, pickup.lng, config.load("jurisdictions")["units"])
    if unit is None or fleet.fleet_of(unit.code) != fleet.fleet_of(case_unit):
        raise ValidationFailed("is outside the area this case's tow fleet serves", field="pickup")


def _execution_input(order: RescueOrderItem) -> dict[str, Any]:
    settings = get_settings()
    return {
        "orderId": order.order_id,
        "caseId": order.case_id,
        "config": {
            "offerSeconds": settings.rescue_offer_seconds,
            "completionSeconds": settings.rescue_completion_seconds,
            "alertSeconds": settings.rescue_alert_seconds,
            "maxAlerts": settings.rescue_max_alerts,
            "arrivalSeconds": settings.rescue_arrival_seconds,
        },
    }


def _state_machine() -> str:
    arn = get_settings().rescue_state_machine_arn
    if not arn:
        raise Unavailable("rescue dispatch is not configured on this deployment", field="RESCUE_STATE_MACHINE_ARN")
    return arn


def _insurer_report(record: store.CaseRecord, order: RescueOrderItem, vehicle: dict[str, Any], body: RequestRescue) -> Any:
    claim = next((c for c in record.claims if c.party_id == order.party_id), None)
    data = {"orderId": order.order_id, "partyId": order.party_id, "policyNo": vehicle.get("policyNo"), "plate": vehicle.get("plate"),
            "pickup": body.pickup.model_dump(), "destination": body.destination, "claimId": claim.claim_id if claim else None}
    return outbox.event(order.case_id, order.insurer_code or "", "rescue.reported", data, order.requested_at)


def request(principal: Principal, case_id: str, body: RequestRescue) -> tuple[RescueView, bool]:
    """Open a work order and report it to the insurer in one transaction, then start its run.

    A second tap for a vehicle whose order is still open returns that order (and makes sure its
    run was started: the run's name is deterministic, so it is never started twice)."""
    machine = _state_machine()
    if body.destination and not reference.existing_codes("REPAIR_SHOP", [body.destination]):
        raise ValidationFailed("is not a repair shop code (GET /repair-shops)", field="destination")

    standing: list[str] = []

    def decide(record: store.CaseRecord) -> store.Change | list[store.Change]:
        party_id = _rescued_party(principal, record, body)
        _ensure_served(body.pickup, record.case.jurisdiction)
        existing = next((o for o in record.rescues if o.party_id == party_id and o.status in dispatch.OPEN), None)
        if existing is not None:
            standing.append(existing.order_id)
            return []  # a second tap: the open order stands
        at = store.iso(store.utcnow())
        seq = len(record.rescues) + 1
        vehicle = store.plain(record.party(party_id).vehicle)  # type: ignore[union-attr]
        order, pointer = order_store.new_order(
            record.case.case_id, ids.new_rescue_id(), record.case.jurisdiction, dispatch.SEARCHING, at,
            Pickup.model_validate(body.pickup.model_dump()), seq=seq, requested_by=principal.audit_name, party_id=party_id,
            insurer_code=vehicle.get("insurerCode"), destination=body.destination, notes=body.notes,
            execution_name=dispatch.run_name(record.case.case_id, seq, 1),
        )
        puts: list[Any] = [order, pointer]
        if order.insurer_code:
            puts.append(_insurer_report(record, order, vehicle, body))
        puts += tell_owner(order, "rescue.requested", at, order_id=order.order_id)
        detail = {"orderId": order.order_id, "partyId": party_id, "insurerReported": bool(order.insurer_code)}
        return store.Change(action="RESCUE_REQUESTED", detail=detail, puts=puts, result=order.order_id)

    applied = store.mutate(principal, case_id, decide)
    order = order_of(applied.record, applied.result or standing[-1])
    # If this start fails the order stays open and the caller is asked to tap again: the same
    # run name is started then (and the sweeper ends orders whose run never started).
    workflows.start(machine, order.execution_name, _execution_input(order))
    return order_view(order), applied.result is not None


def view(principal: Principal, case_id: str, order_id: str) -> RescueView:
    return order_view(order_of(store.load_for(principal, case_id), order_id))


def cancel(principal: Principal, case_id: str, order_id: str, body: CancelRescue) -> RescueView:
    """Cancel an open order (or close an escalated one): the truck it holds goes back on standby,
    then its run is stopped. Police closing a party's request say why (it goes to the audit and the
    parties' timeline); a party calling off its own rescue need not."""
    if principal.role in POLICE and not (body.reason or "").strip():
        raise ValidationFailed("closing a rescue order needs a reason", field="reason")

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, order_id)
        access.ensure_acts_for(principal, record, order.party_id, field="orderId")
        dispatch.ensure_cancellable(order.status)
        was = order.status
        at = store.iso(store.utcnow())
        truck = close(order, dispatch.CANCELLED, body.reason or "cancelled", at)
        replaces: list[Any] = [(truck, None)] if truck else []
        replaces.append((order, was))
        detail = {"orderId": order_id, "truckReleased": truck.truck_id if truck else None, "reason": order.outcome}
        puts = tell_owner(order, "rescue.cancelled", at, order_id=order_id)
        return store.Change(action="RESCUE_CANCELLED", detail=detail, replaces=replaces, puts=puts)

    order = order_of(store.mutate(principal, case_id, decide).record, order_id)
    workflows.stop(workflows.execution_arn(_state_machine(), order.execution_name), cause="cancelled")
    return order_view(order)


def redispatch(principal: Principal, case_id: str, order_id: str) -> RescueView:
    """A dispatcher starts another round on an escalated order: the search runs again (trucks may
    have come free) and every truck may be asked again, under a new run of the same workflow."""
    machine = _state_machine()

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, order_id)
        dispatch.ensure_escalated(order.status)
        at = store.iso(store.utcnow())
        order.round = int(order.round or 1) + 1
        order.execution_name = dispatch.run_name(order.case_id, int(order.seq), order.round)
        order.candidates = []
        order.outcome = None
        order_store.set_status(order, dispatch.SEARCHING, at)
        return store.Change(action="RESCUE_REDISPATCHED", detail={"orderId": order_id, "round": order.round},
                            replaces=[(order, dispatch.ESCALATED)], puts=tell_owner(order, "rescue.redispatched", at))

    order = order_of(store.mutate(principal, case_id, decide).record, order_id)
    workflows.start(machine, order.execution_name, _execution_input(order))
    return order_view(order)


def queue(principal: Principal, query: QueueQuery) -> RescueQueue:
    """Orders of the caller's unit in one status, oldest first (ESCALATED: the dispatcher's work),
    or those a dispatcher was alerted about, newest alert first."""
    if not principal.jurisdiction:
        raise Forbidden("this account belongs to no police unit", field="jurisdiction")
    if query.alerting:
        results = order_store.alerting(principal.jurisdiction, query.limit, query.next_token)
    else:
        results = order_store.queue(principal.jurisdiction, query.status, query.limit, query.next_token, query.newest_first)
    entries = [
        RescueQueueEntry(
            order_id=o.order_id, case_id=o.case_id, status=o.status, status_since=o.status_since,
            pickup=Location.model_validate(o.pickup, from_attributes=True), offers=len(o.offers), outcome=o.outcome,
        )
        for o in results
    ]
    return RescueQueue(orders=entries, next_token=paging.encode(results.last_evaluated_key))


def area(principal: Principal) -> RescueArea:
    """The unit whose area covers the caller's (a district's staff see their city's unit)."""
    if not principal.jurisdiction:
        raise Forbidden("this account belongs to no police unit", field="jurisdiction")
    units = config.load("jurisdictions")["units"]
    unit = next((u for u in units if jurisdiction.covers(u["code"], principal.jurisdiction)), None)
    if unit is None:
        raise NotFound("no police unit covers this account's jurisdiction", field="jurisdiction")
    return RescueArea(code=unit["code"], name=unit["name"], bbox=AreaBox.model_validate(unit["bbox"]))
