"""What every side of a rescue does to a work order: find it on its case, the offer waiting for an
answer, the truck the order holds and letting it go, and the order as parties and police see it.

Orders are changed inside the case's transaction (`store.cases.mutate`); a helper here changes
the order and trucks in memory and hands back what the transaction must write.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.contracts.common import Location
from chalicelib.contracts.rescue import AlertView, EtaView, OfferView, RescueView, TruckSummary
from chalicelib.domain import dispatch
from chalicelib.domain.rescue_order import Offer
from chalicelib.errors import NotFound, OrderClosed
from chalicelib.services import notices
from chalicelib.store import cases as store
from chalicelib.store import fleet
from chalicelib.store import rescue as order_store
from chalicelib.store.models import OutboxItem, RescueOrderItem, TowTruckItem


def milestone_passed(milestone: str, completion_seconds: int) -> dict[str, Any]:
    """What the run's wait for `milestone` is answered with once the driver reported it. After the
    arrival it is the completion's watch (its alerts counted afresh), which AwaitArrival keeps as
    `$.watch` as AssignTruck does for the arrival's: no state of its own sets it (ADR 0011)."""
    if milestone == dispatch.ARRIVAL:
        return {"milestone": milestone, "alerts": 0, "passed": False, "waitSeconds": completion_seconds}
    return {"milestone": milestone, "passed": True}


def rules() -> dispatch.DispatchRules:
    return dispatch.DispatchRules.model_validate(config.load("rescue"))


def tell_owner(order: RescueOrderItem, topic: str, at: str, **fields: Any) -> list[OutboxItem]:
    """A rescue notice goes to the party whose vehicle the order is for, not to every party of the case."""
    return [notices.to_party(order.case_id, order.party_id, topic, at, **fields)]


def order_of(record: store.CaseRecord, order_id: str, open_in: frozenset[str] | None = None) -> RescueOrderItem:
    """The order on this case, or 404; with `open_in`, OrderClosed unless its status is one of them
    (a workflow step finding the order moved on, e.g. cancelled, ends the run quietly)."""
    order = record.rescue(order_id)
    if order is None:
        raise NotFound("no such rescue order on this case", field="orderId")
    if open_in is not None and order.status not in open_in:
        raise OrderClosed(f"the rescue order is {order.status}", field="status", status=order.status)
    return order


def open_offer(order: RescueOrderItem) -> Offer | None:
    """The offer still waiting for its truck's answer (an order has at most one)."""
    return next((offer for offer in order.offers if offer.is_open), None)


def held_truck(order: RescueOrderItem) -> str | None:
    """The truck this order holds: the one assigned, else the one asked and not yet answered."""
    if order.truck_id:
        return order.truck_id
    offer = open_offer(order)
    return offer.truck_id if offer else None


def release(truck: TowTruckItem | None, order_id: str, at: str) -> bool:
    """Compensation: the truck goes back on standby if this order holds it (offered or busy)."""
    if truck is None or truck.order_id != order_id:
        return False
    truck.order_id = truck.case_id = None
    fleet.set_status(truck, dispatch.STANDBY, at)
    return True


def _released(truck_id: str | None, order_id: str, at: str) -> TowTruckItem | None:
    truck = fleet.get(truck_id) if truck_id else None
    return truck if release(truck, order_id, at) else None


def close(order: RescueOrderItem, status: str, outcome: str, at: str) -> TowTruckItem | None:
    """End an order (cancelled or failed): its unanswered offer is withdrawn, its wait and alert end,
    and the truck it held goes back on standby (returned, to be written, if it did)."""
    truck_id = held_truck(order)
    offer = open_offer(order)
    if offer is not None:
        offer.close(dispatch.WITHDRAWN, at)
    order.waiting = None
    order.outcome = outcome
    order_store.clear_alert(order)
    order_store.set_status(order, status, at)
    return _released(truck_id, order.order_id, at)


def search_on(order: RescueOrderItem, offer: Offer, answer: str, at: str, reason: str | None = None) -> TowTruckItem | None:
    """The offer was declined or timed out: it is closed, its truck freed (returned, to be written,
    if it was) and the order searches for the next truck."""
    offer.close(answer, at, reason)
    order.waiting = None
    order_store.set_status(order, dispatch.SEARCHING, at)
    return _released(offer.truck_id, order.order_id, at)


def order_view(order: RescueOrderItem) -> RescueView:
    truck = fleet.get(order.truck_id) if order.truck_id else None
    return RescueView(
        order_id=order.order_id,
        case_id=order.case_id,
        status=order.status,
        round=int(order.round or 1),
        status_since=order.status_since,
        requested_at=order.requested_at,
        party_id=order.party_id,
        insurer_code=order.insurer_code,
        pickup=Location.model_validate(order.pickup, from_attributes=True),
        destination=order.destination,
        notes=order.notes,
        offers=[OfferView.model_validate(offer, from_attributes=True) for offer in order.offers],
        truck=TruckSummary.model_validate(truck, from_attributes=True) if truck else None,
        eta=EtaView.model_validate(order.eta, from_attributes=True) if order.eta else None,
        alerts=[AlertView.model_validate(alert, from_attributes=True) for alert in order.alerts],
        arrived_at=order.arrived_at,
        completed_at=order.completed_at,
        dropoff=order.dropoff,
        handoff_id=order.handoff_id,
        outcome=order.outcome,
    )
