"""One-click rescue, the case side: the tap that opens a work order and reports it to the
insurer, the order as parties and police see it, cancelling, and the dispatcher's queue.

The work order lives on the case (sk `RESCUE#<id>`) and every change to it goes through the
case's versioned transaction, so the workflow, the driver and a cancelling officer never lose
each other's updates and each change is in the case's audit chain.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.contracts.common import Location
from chalicelib.contracts.rescue import (
    CancelRescue,
    EtaView,
    OfferView,
    QueueQuery,
    RequestRescue,
    RescueQueue,
    RescueQueueEntry,
    RescueView,
    TruckSummary,
)
from chalicelib.domain import dispatch, ids, jurisdiction
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import NotFound, Unavailable, ValidationFailed
from chalicelib.integrations import workflows
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import fleet, outbox, paging, reference
from chalicelib.store.models import RescueOrderItem, RescuePointer, TowTruckItem

REQUESTED_TEXT = "已为您发起一键救援（工单 {order_id}），正在调派距您最近的救援车辆，并已同步报案至保险公司。"
CANCELLED_TEXT = "救援工单 {order_id} 已取消。"
REDISPATCHED_TEXT = "调度员已重新为您调派救援车辆，请保持电话畅通。"


def rules() -> dispatch.DispatchRules:
    return dispatch.DispatchRules.model_validate(config.load("rescue"))


def rescue_queue_key(unit: str, status: str) -> str:
    return f"RESCUEQ#{unit}#{status}"


def alert_key(unit: str) -> str:
    return f"RESCUEALERT#{unit}"


def set_status(order: RescueOrderItem, status: str, at: str) -> None:
    order.status = status
    order.status_since = at
    order.gsi1pk = rescue_queue_key(order.jurisdiction, status)
    order.gsi1sk = f"{at}#{order.order_id}"


def replace(order: RescueOrderItem, was: str) -> tuple[RescueOrderItem, Any]:
    """The order, written only if no one moved it from `was` meanwhile."""
    return order, RescueOrderItem.status == was


def release(truck: TowTruckItem | None, order_id: str, at: str) -> bool:
    """Compensation: the truck goes back on standby if this order holds it (offered or busy)."""
    if truck is None or truck.order_id != order_id:
        return False
    truck.status = dispatch.STANDBY
    truck.status_since = at
    truck.order_id = truck.case_id = None
    fleet.index(truck)
    return True


def flag_alert(order: RescueOrderItem, at: str) -> None:
    """List the order for dispatchers (GET /portal/rescue?alerting=true) until cleared."""
    order.gsi2pk = alert_key(order.jurisdiction)
    order.gsi2sk = f"{at}#{order.order_id}"


def clear_alert(order: RescueOrderItem) -> None:
    order.gsi2pk = order.gsi2sk = None


def open_offer(order: RescueOrderItem) -> dict[str, Any] | None:
    return next((o for o in store.plain_list(order.offers) if o["answer"] == dispatch.OPEN_OFFER), None)


def set_offer(order: RescueOrderItem, updated: dict[str, Any]) -> None:
    offers = store.plain_list(order.offers)
    order.offers = [updated if o["truckId"] == updated["truckId"] and o["offeredAt"] == updated["offeredAt"] else o for o in offers]


def held_truck(order: RescueOrderItem) -> str | None:
    """The truck this order holds: the one assigned, else the one asked and not yet answered."""
    if order.truck_id:
        return order.truck_id
    offer = open_offer(order)
    return offer["truckId"] if offer else None


def withdraw(order: RescueOrderItem, at: str) -> str | None:
    """Close the order's unanswered offer, if any; the truck the order held (to be released)."""
    truck_id = held_truck(order)
    offer = open_offer(order)
    if offer is not None:
        set_offer(order, {**offer, "answer": dispatch.WITHDRAWN, "answeredAt": at})
    return truck_id


def notify_parties(record: store.CaseRecord, topic: str, text: str, at: str) -> list[Any]:
    return [outbox.notice(record.case.case_id, p.party_id, topic, text, at) for p in record.parties]


def _order_of(record: store.CaseRecord, order_id: str) -> RescueOrderItem:
    order = record.rescue(order_id)
    if order is None:
        raise NotFound("no such rescue order on this case", field="orderId")
    return order


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
        order_id = ids.new_rescue_id()
        vehicle = store.plain(record.party(party_id).vehicle)  # type: ignore[union-attr]
        insurer = vehicle.get("insurerCode")
        order = RescueOrderItem(
            pk=store.case_key(record.case.case_id),
            sk=f"RESCUE#{order_id}",
            order_id=order_id,
            case_id=record.case.case_id,
            seq=seq,
            jurisdiction=record.case.jurisdiction,
            requested_at=at,
            requested_by=principal.audit_name,
            party_id=party_id,
            insurer_code=insurer,
            pickup=body.pickup.model_dump(),
            destination=body.destination,
            notes=body.notes,
            execution_name=dispatch.run_name(record.case.case_id, seq, 1),
        )
        set_status(order, dispatch.SEARCHING, at)
        puts: list[Any] = [order, RescuePointer.to(order_id, record.case.case_id)]
        if insurer:
            claim = next((c for c in record.claims if c.party_id == party_id), None)
            data = {"orderId": order_id, "partyId": party_id, "policyNo": vehicle.get("policyNo"), "plate": vehicle.get("plate"),
                    "pickup": body.pickup.model_dump(), "destination": body.destination,
                    "claimId": claim.claim_id if claim else None}
            puts.append(outbox.event(record.case.case_id, insurer, "rescue.reported", data, at))
        puts += notify_parties(record, "rescue.requested", REQUESTED_TEXT.format(order_id=order_id), at)
        detail = {"orderId": order_id, "partyId": party_id, "insurerReported": bool(insurer)}
        return store.Change(action="RESCUE_REQUESTED", detail=detail, puts=puts, result=order_id)

    created_id = store.mutate(principal, case_id, decide).result
    order = _order_of(store.load_for(principal, case_id), created_id or standing[-1])
    # If this start fails the order stays open and the caller is asked to tap again: the same
    # run name is started then (and the sweeper ends orders whose run never started).
    workflows.start(machine, order.execution_name, _execution_input(order))
    return order_view(order), created_id is not None


def order_view(order: RescueOrderItem) -> RescueView:
    truck = fleet.get(order.truck_id) if order.truck_id else None
    eta = store.plain(order.eta) if order.eta is not None else None
    return RescueView(
        order_id=order.order_id,
        case_id=order.case_id,
        status=order.status,
        round=int(order.round or 1),
        status_since=order.status_since,
        requested_at=order.requested_at,
        party_id=order.party_id,
        insurer_code=order.insurer_code,
        pickup=Location.model_validate(store.plain(order.pickup)),
        destination=order.destination,
        notes=order.notes,
        offers=[OfferView.model_validate(o) for o in store.plain_list(order.offers)],
        truck=TruckSummary(truck_id=truck.truck_id, plate=truck.plate, company=truck.company) if truck else None,
        eta=EtaView.model_validate(eta) if eta else None,
        alerts=store.plain_list(order.alerts),
        arrived_at=order.arrived_at,
        completed_at=order.completed_at,
        dropoff=order.dropoff,
        handoff_id=order.handoff_id,
        outcome=order.outcome,
    )


def view(principal: Principal, case_id: str, order_id: str) -> RescueView:
    return order_view(_order_of(store.load_for(principal, case_id), order_id))


def cancel(principal: Principal, case_id: str, order_id: str, body: CancelRescue) -> RescueView:
    """Cancel an open order (or close an escalated one): the truck it holds goes back on standby,
    then its run is stopped."""

    def decide(record: store.CaseRecord) -> store.Change:
        order = _order_of(record, order_id)
        dispatch.ensure_cancellable(order.status)
        was = order.status
        at = store.iso(store.utcnow())
        replaces: list[Any] = []
        truck_id = withdraw(order, at)
        truck = fleet.get(truck_id) if truck_id else None
        if release(truck, order_id, at):
            replaces.append((truck, None))
        order.waiting = None
        order.outcome = body.reason or "cancelled"
        clear_alert(order)
        set_status(order, dispatch.CANCELLED, at)
        replaces.append(replace(order, was))
        detail = {"orderId": order_id, "truckReleased": truck_id if replaces[:-1] else None, "reason": order.outcome}
        puts = notify_parties(record, "rescue.cancelled", CANCELLED_TEXT.format(order_id=order_id), at)
        return store.Change(action="RESCUE_CANCELLED", detail=detail, replaces=replaces, puts=puts)

    store.mutate(principal, case_id, decide)
    order = _order_of(store.load_for(principal, case_id), order_id)
    workflows.stop(workflows.execution_arn(_state_machine(), order.execution_name), cause="cancelled")
    return order_view(order)


def redispatch(principal: Principal, case_id: str, order_id: str) -> RescueView:
    """A dispatcher starts another round on an escalated order: the search runs again (trucks may
    have come free) and every truck may be asked again, under a new run of the same workflow."""
    machine = _state_machine()

    def decide(record: store.CaseRecord) -> store.Change:
        order = _order_of(record, order_id)
        dispatch.ensure_escalated(order.status)
        at = store.iso(store.utcnow())
        order.round = int(order.round or 1) + 1
        order.execution_name = dispatch.run_name(order.case_id, int(order.seq), order.round)
        order.candidates = []
        order.outcome = None
        set_status(order, dispatch.SEARCHING, at)
        return store.Change(action="RESCUE_REDISPATCHED", detail={"orderId": order_id, "round": order.round},
                            replaces=[replace(order, dispatch.ESCALATED)],
                            puts=notify_parties(record, "rescue.redispatched", REDISPATCHED_TEXT, at))

    store.mutate(principal, case_id, decide)
    order = _order_of(store.load_for(principal, case_id), order_id)
    workflows.start(machine, order.execution_name, _execution_input(order))
    return order_view(order)


def queue(principal: Principal, query: QueueQuery) -> RescueQueue:
    """Orders of the caller's unit in one status, oldest first (ESCALATED: the dispatcher's work),
    or those a dispatcher was alerted about, newest alert first."""
    from chalicelib.errors import Forbidden

    if not principal.jurisdiction:
        raise Forbidden("this account belongs to no police unit", field="jurisdiction")
    start = paging.decode(query.next_token)
    if query.alerting:
        results = RescueOrderItem.gsi2.query(alert_key(principal.jurisdiction), scan_index_forward=False,
                                             limit=query.limit, last_evaluated_key=start)
    else:
        results = RescueOrderItem.gsi1.query(rescue_queue_key(principal.jurisdiction, query.status), scan_index_forward=True,
                                             limit=query.limit, last_evaluated_key=start)
    orders = [
        RescueQueueEntry(
            order_id=o.order_id, case_id=o.case_id, status=o.status, status_since=o.status_since,
            pickup=Location.model_validate(store.plain(o.pickup)), offers=len(o.offers or []), outcome=o.outcome,
        )
        for o in results
    ]
    return RescueQueue(orders=orders, next_token=paging.encode(results.last_evaluated_key))
