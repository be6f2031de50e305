"""The tow driver's side of a rescue (a tow token is bound to one truck) and the fleet list.

Accepting answers the workflow first and lets it record the assignment, so an answer that
arrives after the offer timed out is refused rather than racing the next offer. Declining,
arriving and completing are recorded here first, in the case's transaction, then the waiting
step is answered; the workflow's own steps treat an already-recorded report as done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.contracts.common import Location
from chalicelib.contracts.rescue import (
    DeclineOffer,
    OfferAnswer,
    ReportArrival,
    ReportCompletion,
    RescueView,
    TowJob,
    TowOffer,
    TowOffers,
    TruckList,
    TruckPosition,
    TruckQuery,
    TruckView,
)
from chalicelib.domain import dispatch, ids
from chalicelib.domain.principals import Principal
from chalicelib.domain.rescue_order import OFFER_ANSWER, Offer
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed, WaitOver
from chalicelib.integrations import workflows
from chalicelib.services.rescue.order import milestone_passed, open_offer, order_of, order_view, release, search_on, tell_owner
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import fleet, outbox, paging, reference
from chalicelib.store import rescue as order_store
from chalicelib.store.models import RescueOrderItem, TowTruckItem

MAX_POSITION_ATTEMPTS = 5


def _truck_of(principal: Principal) -> str:
    if not principal.org:
        raise Forbidden("this tow account is bound to no truck", field="Authorization")
    return principal.org


def _case_of(order_id: str) -> str:
    case_id = order_store.case_of(order_id)
    if case_id is None:
        raise NotFound("no such rescue order", field="orderId")
    return case_id


def _my_open_offer(order: RescueOrderItem, truck_id: str) -> Offer | None:
    offer = open_offer(order)
    return offer if offer is not None and offer.truck_id == truck_id else None


def offers(principal: Principal) -> TowOffers:
    """The offer waiting for this truck's answer, if any (a truck holds at most one)."""
    truck = fleet.get(_truck_of(principal))
    if truck is None or truck.status != dispatch.TRUCK_OFFERED or not truck.order_id or not truck.case_id:
        return TowOffers(offers=[])
    order = store.load(truck.case_id).rescue(truck.order_id)
    offer = _my_open_offer(order, truck.truck_id) if order is not None else None
    if order is None or offer is None:
        return TowOffers(offers=[])
    return TowOffers(offers=[TowOffer(
        order_id=order.order_id, case_id=order.case_id, pickup=Location.model_validate(order.pickup, from_attributes=True),
        destination=order.destination, distance_m=offer.distance_m, offered_at=offer.offered_at, expires_at=offer.expires_at,
    )])


def accept(principal: Principal, order_id: str) -> OfferAnswer:
    truck_id = _truck_of(principal)
    order = order_of(store.load_for(principal, _case_of(order_id)), order_id)
    if order.truck_id == truck_id:
        return OfferAnswer(order_id=order_id, answer=dispatch.ACCEPTED)  # a repeated tap
    waiting = order.waiting
    if (_my_open_offer(order, truck_id) is None or waiting is None or waiting.milestone != OFFER_ANSWER
            or waiting.truck_id != truck_id):
        raise Conflict("this truck has no open offer for the order (it expired, was declined or withdrawn)", field="orderId")
    try:
        workflows.succeed(waiting.token, {"truckId": truck_id, "answeredAt": store.iso(store.utcnow())})
    except WaitOver:
        if order_of(store.load(order.case_id), order_id).truck_id == truck_id:
            return OfferAnswer(order_id=order_id, answer=dispatch.ACCEPTED)
        raise
    return OfferAnswer(order_id=order_id, answer=dispatch.ACCEPTED)


def decline(principal: Principal, order_id: str, body: DeclineOffer) -> OfferAnswer:
    truck_id = _truck_of(principal)

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, order_id)
        offer = _my_open_offer(order, truck_id)
        if offer is None:
            raise Conflict("this truck has no open offer for the order (it expired or was answered)", field="orderId")
        was = order.status
        token = order.waiting.token if order.waiting else None
        truck = search_on(order, offer, dispatch.DECLINED, store.iso(store.utcnow()), body.reason)
        replaces: list[Any] = [(truck, None)] if truck else []
        replaces.append((order, was))
        return store.Change(action="RESCUE_OFFER_DECLINED", detail={"orderId": order_id, "truckId": truck_id, "reason": body.reason},
                            replaces=replaces, result=token)

    token = store.mutate(principal, _case_of(order_id), decide).result
    if token:
        try:
            workflows.fail(token, "OfferDeclined", body.reason or "")
        except WaitOver:
            pass  # the offer timed out meanwhile; the workflow moves on either way
    return OfferAnswer(order_id=order_id, answer=dispatch.DECLINED)


def _report(
    principal: Principal, order_id: str, milestone: str, record_it: Callable[[store.CaseRecord, RescueOrderItem, str], store.Change]
) -> RescueView:
    """Record a milestone the workflow waits for, then answer its waiting step (if it waits yet)."""
    truck_id = _truck_of(principal)
    expected = dispatch.MILESTONE_STATUS[milestone]

    def decide(record: store.CaseRecord) -> store.Change | list[store.Change]:
        order = order_of(record, order_id)
        if order.truck_id != truck_id:
            raise Forbidden("this order is not assigned to this truck", field="orderId")
        if order.status == (dispatch.ARRIVED if milestone == dispatch.ARRIVAL else dispatch.COMPLETED):
            return []  # reported already
        if order.status != expected:
            raise Conflict(f"the rescue order is {order.status}; this report needs {expected}", field="status", status=order.status)
        at = store.iso(store.utcnow())
        waiting = order.waiting
        order.waiting = None
        order_store.clear_alert(order)
        change = record_it(record, order, at)
        change.replaces.append((order, expected))
        change.result = waiting if waiting is not None and waiting.milestone == milestone else None
        return change

    applied = store.mutate(principal, _case_of(order_id), decide)
    waiting = applied.result
    if waiting is not None:
        # The run's own completion wait (a wait kept before runs recorded it: the configured one)
        next_wait = waiting.next_wait_seconds or get_settings().rescue_completion_seconds
        try:
            workflows.succeed(waiting.token, milestone_passed(milestone, next_wait))
        except WaitOver:
            pass  # the wait timed out meanwhile: its alert step sees the report and moves on
    return order_view(order_of(applied.record, order_id))


def arrived(principal: Principal, order_id: str, body: ReportArrival) -> RescueView:
    def record_arrival(record: store.CaseRecord, order: RescueOrderItem, at: str) -> store.Change:
        order.arrived_at = at
        order_store.set_status(order, dispatch.ARRIVED, at)
        # The run now waits for the completion report this long (its input's completionSeconds).
        completion_wait = timedelta(seconds=get_settings().rescue_completion_seconds)
        order_store.expect_by(order, store.iso(datetime.fromisoformat(at) + completion_wait))
        detail: dict[str, Any] = {"orderId": order.order_id}
        if body.lat is not None and body.lng is not None:
            detail["position"] = {"lat": body.lat, "lng": body.lng}
        return store.Change(action="RESCUE_ARRIVED", detail=detail, puts=tell_owner(order, "rescue.arrived", at))

    return _report(principal, order_id, dispatch.ARRIVAL, record_arrival)


def completed(principal: Principal, order_id: str, body: ReportCompletion) -> RescueView:
    """The vehicle is at the repair shop: the truck is free again, the hand-off (汽修快赔) is on
    record and the insurer is told, all in one transaction."""
    shop_names = reference.names("REPAIR_SHOP", [body.dropoff])
    if body.dropoff not in shop_names:
        raise ValidationFailed("is not a repair shop code (GET /repair-shops)", field="dropoff")

    def record_completion(record: store.CaseRecord, order: RescueOrderItem, at: str) -> store.Change:
        handoff_id = ids.new_handoff_id()
        order.completed_at, order.dropoff, order.handoff_id = at, body.dropoff, handoff_id
        order_store.set_status(order, dispatch.COMPLETED, at)
        truck = fleet.get(order.truck_id or "")
        replaces: list[Any] = [(truck, None)] if release(truck, order.order_id, at) else []
        puts: list[Any] = [order_store.new_handoff(order, handoff_id, body.dropoff, at),
                           *tell_owner(order, "rescue.completed", at, shop=shop_names[body.dropoff])]
        if order.insurer_code:
            claim = next((c for c in record.claims if c.party_id == order.party_id), None)
            shop = {"code": body.dropoff, "name": shop_names[body.dropoff]}
            data = {"orderId": order.order_id, "handoffId": handoff_id, "repairShop": shop, "partyId": order.party_id,
                    "claimId": claim.claim_id if claim else None, "deliveredAt": at}
            puts.append(outbox.event(order.case_id, order.insurer_code, "repair.handoff", data, at))
        detail = {"orderId": order.order_id, "handoffId": handoff_id, "repairShop": body.dropoff}
        return store.Change(action="RESCUE_COMPLETED", detail=detail, puts=puts, replaces=replaces)

    return _report(principal, order_id, dispatch.COMPLETION, record_completion)


def job(principal: Principal) -> TowJob:
    """The truck and the order it holds once it took the offer (a truck works one order at a time)."""
    truck = fleet.get(_truck_of(principal))
    if truck is None:
        raise NotFound("no such truck", field="Authorization")
    order = None
    if truck.status == dispatch.BUSY and truck.order_id and truck.case_id:
        held = store.load(truck.case_id).rescue(truck.order_id)
        order = order_view(held) if held is not None and held.truck_id == truck.truck_id else None
    return TowJob(truck=truck_view(truck), order=order)


def truck_view(truck: TowTruckItem) -> TruckView:
    return TruckView.model_validate(truck, from_attributes=True)


def move(principal: Principal, truck_id: str, body: TruckPosition) -> TruckView:
    """A truck reports where it is (and may go off or on duty); its place in the index moves with it."""
    from pynamodb.exceptions import PutError

    if _truck_of(principal) != truck_id:
        raise Forbidden("a tow account may only report its own truck", field="truckId")
    for _ in range(MAX_POSITION_ATTEMPTS):
        truck = fleet.get(truck_id)
        if truck is None:
            raise NotFound("no such truck", field="truckId")
        at = store.iso(store.utcnow())
        truck.lat, truck.lng, truck.position_at = body.lat, body.lng, at
        if body.on_duty is False and truck.status != dispatch.OFFLINE:
            if truck.status != dispatch.STANDBY:
                raise Conflict(f"the truck is {truck.status}: finish or decline its job before going off duty",
                               field="onDuty", status=truck.status)
            truck.status, truck.status_since = dispatch.OFFLINE, at
        elif body.on_duty is True and truck.status == dispatch.OFFLINE:
            truck.status, truck.status_since = dispatch.STANDBY, at
        fleet.index(truck)
        try:
            truck.save()  # the version check: a reservation made meanwhile is never overwritten
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                continue
            raise
        return truck_view(truck)
    raise Conflict("the truck kept changing while its position was saved; retry", field="truckId")


def trucks(principal: Principal, query: TruckQuery) -> TruckList:
    """The trucks of the caller's city, a page at a time."""
    if not principal.jurisdiction:
        raise Forbidden("this account belongs to no police unit", field="jurisdiction")
    page = fleet.fleet(fleet.fleet_of(principal.jurisdiction), query.limit, query.next_token)
    return TruckList(trucks=[truck_view(t) for t in page], next_token=paging.encode(page.last_evaluated_key))

