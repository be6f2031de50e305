"""The rescue workflow's steps (statemachines/rescue.asl.json): each reads the order, checks it is
still where the workflow thinks it is, and changes it through the case's transaction.

A step that finds the order closed (cancelled meanwhile) raises OrderClosed and the run ends
quietly; a failure anywhere after a truck was reserved reaches `release_truck`, the compensation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.contracts.rescue import StepConfig, StepError, StepInput
from chalicelib.domain import dispatch, geo
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.rescue_order import OFFER_ANSWER, Alert, Eta, Offer, Waiting
from chalicelib.errors import Conflict, OrderClosed, Unavailable, ValidationFailed
from chalicelib.integrations import workflows
from chalicelib.services.rescue.order import close, milestone_passed, open_offer, order_of, rules, search_on, tell_owner
from chalicelib.store import cases as store
from chalicelib.store import fleet
from chalicelib.store import rescue as order_store
from chalicelib.store.models import RescueOrderItem, TowTruckItem

WORKFLOW = Principal(subject="rescue-workflow", role=Role.SYSTEM)
# The order statuses in which a milestone counts as already reported.
PASSED = {dispatch.ARRIVAL: frozenset({dispatch.ARRIVED, dispatch.COMPLETED}), dispatch.COMPLETION: frozenset({dispatch.COMPLETED})}


def _still_awaited(record: store.CaseRecord, order_id: str, milestone: str) -> RescueOrderItem | None:
    """The order while it waits for the driver's `milestone` report; None once the report is in.
    An order that ended otherwise is OrderClosed."""
    passed = PASSED[milestone]
    order = order_of(record, order_id, passed | {dispatch.MILESTONE_STATUS[milestone]})
    return None if order.status in passed else order


def _now() -> tuple[datetime, str]:
    moment = store.utcnow()
    return moment, store.iso(moment)


def _config(step: StepInput) -> StepConfig:
    if step.config is None:
        raise ValidationFailed("the step needs the run's config", field="config")
    return step.config


def _token(step: StepInput) -> str:
    if not step.task_token:
        raise ValidationFailed("the step needs its task token", field="taskToken")
    return step.task_token


def find_candidates(step: StepInput) -> dict[str, Any]:
    """The nearest standby trucks, searched once; the order keeps the list it offers down."""
    dispatch_rules = rules()

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, step.order_id, dispatch.UNASSIGNED)
        # Searched within the decision: only a concurrent change to the case searches again.
        order.candidates = fleet.nearest_standby(order.pickup.point, dispatch_rules)
        detail = {"orderId": order.order_id, "candidates": [c.as_dict() for c in order.candidates]}
        return store.Change(action="RESCUE_CANDIDATES_FOUND", detail=detail, replaces=[(order, order.status)],
                            result=len(order.candidates))

    return {"candidates": store.mutate(WORKFLOW, step.case_id, decide).result}


def _next_standby_truck(order: RescueOrderItem, dispatch_rules: dispatch.DispatchRules) -> tuple[TowTruckItem, int]:
    """The nearest candidate not asked this round that is still on standby, and its distance;
    NoTruckAvailable when none is left or enough were asked."""
    asked = [offer.truck_id for offer in order.offers if offer.round == int(order.round or 1)]
    unavailable: set[str] = set()
    while True:
        candidate = dispatch.next_candidate(order.candidates, asked, unavailable, dispatch_rules)
        truck = fleet.get(candidate.truck_id)
        if truck is not None and truck.status == dispatch.STANDBY:
            return truck, candidate.distance_m
        unavailable.add(candidate.truck_id)  # taken or gone off duty since the search


def offer_next(step: StepInput) -> dict[str, Any]:
    """Reserve the nearest candidate not yet asked and offer it the job; the run then waits for
    the driver's answer (task token kept on the order) until the offer times out."""
    dispatch_rules = rules()
    token, seconds = _token(step), _config(step).offer_seconds

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, step.order_id, dispatch.UNASSIGNED)
        was = order.status
        moment, at = _now()
        offer = open_offer(order)
        if offer is not None:  # the step was retried after its offer was written: keep the offer, new token
            order.waiting = Waiting(milestone=OFFER_ANSWER, token=token, truck_id=offer.truck_id, since=at)
            detail = {"orderId": order.order_id, "truckId": offer.truck_id, "renewed": True}
            return store.Change(action="RESCUE_OFFERED", detail=detail, replaces=[(order, was)])
        truck, distance_m = _next_standby_truck(order, dispatch_rules)
        truck.order_id, truck.case_id = order.order_id, order.case_id
        fleet.set_status(truck, dispatch.TRUCK_OFFERED, at)
        expires = store.iso(moment + timedelta(seconds=seconds))
        order.offers.append(Offer(truck_id=truck.truck_id, distance_m=distance_m, offered_at=at, expires_at=expires,
                                  round=int(order.round or 1)))
        order.waiting = Waiting(milestone=OFFER_ANSWER, token=token, truck_id=truck.truck_id, since=at)
        order_store.set_status(order, dispatch.OFFERED, at)
        order_store.expect_by(order, expires)
        detail = {"orderId": order.order_id, "truckId": truck.truck_id, "distanceM": distance_m, "expiresAt": expires}
        return store.Change(action="RESCUE_OFFERED", detail=detail, replaces=[(truck, None), (order, was)])

    store.mutate(WORKFLOW, step.case_id, decide)
    return {"offered": True}


def close_offer(step: StepInput) -> dict[str, Any]:
    """The driver declined or did not answer in time: the offer is closed, the truck freed."""
    answer = dispatch.DECLINED if step.error is not None and step.error.Error == "OfferDeclined" else dispatch.TIMED_OUT

    def decide(record: store.CaseRecord) -> list[store.Change]:
        order = order_of(record, step.order_id, dispatch.UNASSIGNED)
        offer = open_offer(order)
        if offer is None:
            return []  # the driver's decline already closed it
        was = order.status
        _, at = _now()
        truck = search_on(order, offer, answer, at)
        replaces: list[Any] = [(truck, None)] if truck else []
        replaces.append((order, was))
        detail = {"orderId": order.order_id, "truckId": offer.truck_id}
        return [store.Change(action=f"RESCUE_OFFER_{answer}", detail=detail, replaces=replaces)]

    store.mutate(WORKFLOW, step.case_id, decide)
    return {"answer": answer}


def assign_truck(step: StepInput) -> dict[str, Any]:
    """The driver accepted: the truck is busy, the ETA is computed and sent to the parties."""
    dispatch_rules = rules()
    config = _config(step)
    truck_id = str((step.answer or {}).get("truckId", ""))

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, step.order_id, frozenset({dispatch.OFFERED}))
        offer = open_offer(order)
        if offer is None or offer.truck_id != truck_id:
            raise OrderClosed("the accepted offer is no longer open", field="truckId")
        truck = fleet.get(truck_id)
        if truck is None or truck.order_id != order.order_id:
            raise Conflict("the truck is no longer reserved for this order", field="truckId")
        moment, at = _now()
        road = dispatch.road_distance_m(geo.distance_m(geo.Point(float(truck.lat), float(truck.lng)), order.pickup.point),
                                        dispatch_rules)
        minutes = dispatch.eta_minutes(road, dispatch_rules)
        arrive_by = moment + timedelta(minutes=minutes)
        fleet.set_status(truck, dispatch.BUSY, at)
        offer.close(dispatch.ACCEPTED, at)
        order.truck_id = truck_id
        order.eta = Eta(minutes=minutes, road_distance_m=road, arrive_by=store.iso(arrive_by))
        order.waiting = None
        order_store.set_status(order, dispatch.ASSIGNED, at)
        deadline = dispatch.arrival_deadline(moment, minutes, dispatch_rules)
        wait = config.arrival_seconds or max(1, int((deadline - moment).total_seconds()))
        order_store.expect_by(order, store.iso(moment + timedelta(seconds=wait)))
        return store.Change(
            action="RESCUE_ASSIGNED",
            detail={"orderId": order.order_id, "truckId": truck_id, "etaMinutes": minutes, "roadDistanceM": road},
            replaces=[(truck, None), (order, dispatch.OFFERED)],
            puts=tell_owner(order, "rescue.assigned", at, plate=truck.plate, company=truck.company,
                                    km=f"{road / 1000:.1f}", minutes=minutes, time=arrive_by.astimezone(CHINA).strftime("%H:%M")),
            result=wait,
        )

    wait = store.mutate(WORKFLOW, step.case_id, decide).result
    return {"alerts": 0, "passed": False, "waitSeconds": wait}


def await_milestone(step: StepInput) -> None:
    """Keep the task token the driver's report will answer; if the report came first, answer it now."""
    token = _token(step)
    milestone = step.milestone or dispatch.ARRIVAL
    expected = dispatch.MILESTONE_STATUS[milestone]
    completion_seconds = _config(step).completion_seconds

    def decide(record: store.CaseRecord) -> list[store.Change]:
        order = _still_awaited(record, step.order_id, milestone)
        if order is None:
            return []
        _, at = _now()
        next_wait = completion_seconds if milestone == dispatch.ARRIVAL else None  # what the report's answer carries
        order.waiting = Waiting(milestone=milestone, token=token, since=at, next_wait_seconds=next_wait)
        detail = {"orderId": order.order_id, "milestone": milestone}
        return [store.Change(action="RESCUE_AWAITING", detail=detail, replaces=[(order, expected)], result=True)]

    if not store.mutate(WORKFLOW, step.case_id, decide).result:
        workflows.succeed(token, milestone_passed(milestone, completion_seconds))


def raise_alert(step: StepInput) -> dict[str, Any]:
    """A report is overdue: a dispatcher is alerted (GET /portal/rescue?alerting=true)."""
    milestone = step.milestone or dispatch.ARRIVAL
    expected = dispatch.MILESTONE_STATUS[milestone]
    config = _config(step)

    def decide(record: store.CaseRecord) -> list[store.Change]:
        order = _still_awaited(record, step.order_id, milestone)
        if order is None:
            return []
        moment, at = _now()
        order.alerts.append(Alert(milestone=milestone, at=at))
        order.waiting = None
        order_store.flag_alert(order, at)
        order_store.expect_by(order, store.iso(moment + timedelta(seconds=config.alert_seconds)))
        count = sum(1 for alert in order.alerts if alert.milestone == milestone)
        detail = {"orderId": order.order_id, "milestone": milestone, "alerts": count}
        return [store.Change(action="RESCUE_ALERTED", detail=detail, replaces=[(order, expected)], result=count)]

    count = store.mutate(WORKFLOW, step.case_id, decide).result
    if count is None:  # reported meanwhile: after the arrival, the completion's watch (its alerts afresh)
        return {"alerts": 0, "passed": True,
                "waitSeconds": config.completion_seconds if milestone == dispatch.ARRIVAL else config.alert_seconds}
    return {"alerts": count, "passed": False, "waitSeconds": config.alert_seconds}


def escalate(step: StepInput) -> dict[str, Any]:
    """No truck took the job: the order waits in the dispatcher queue and its party is told."""

    def decide(record: store.CaseRecord) -> store.Change:
        order = order_of(record, step.order_id, dispatch.UNASSIGNED)
        was = order.status
        _, at = _now()
        order.waiting = None
        order.outcome = "no standby tow truck took the job"
        order_store.set_status(order, dispatch.ESCALATED, at)
        detail = {"orderId": order.order_id, "offers": len(order.offers)}
        return store.Change(action="RESCUE_ESCALATED", detail=detail, replaces=[(order, was)],
                            puts=tell_owner(order, "rescue.escalated", at))

    store.mutate(WORKFLOW, step.case_id, decide)
    return {"status": dispatch.ESCALATED}


def release_truck(step: StepInput) -> dict[str, Any]:
    """Compensation: whatever failed, the truck this order holds goes back on standby and the
    order ends FAILED with the reason; an order already closed is left as it is."""
    reason = step.error.Error if step.error is not None else "failed"

    def decide(record: store.CaseRecord) -> store.Change | list[store.Change]:
        order = record.rescue(step.order_id)
        if order is None or order.status not in dispatch.OPEN:
            return []
        was = order.status
        _, at = _now()
        truck = close(order, dispatch.FAILED, reason, at)
        replaces: list[Any] = [(truck, None)] if truck else []
        replaces.append((order, was))
        released = truck.truck_id if truck else None
        detail = {"orderId": order.order_id, "reason": reason, "truckReleased": released}
        return store.Change(action="RESCUE_FAILED", detail=detail, replaces=replaces, result=released,
                            puts=tell_owner(order, "rescue.failed", at, order_id=order.order_id))

    return {"released": store.mutate(WORKFLOW, step.case_id, decide).result}


def release_orphans(reason: str, older_than: timedelta = timedelta(0), every_open: bool = False) -> int:
    """End every open order whose run is not running — it ended without closing the order, never
    started, or (locally) did not survive a restart — through the same compensation as a failed run.

    Only orders a healthy run would have moved by now (older_than ago: a run may be a little late)
    are looked at: each step that starts a wait says when it ends (`order_store.expect_by`), so an
    order in the middle of a wait costs nothing. `every_open` looks at every open order (a restart
    of the local stack, where every run is gone). Returns how many were ended."""
    from chalicelib.settings import get_settings

    machine = get_settings().rescue_state_machine_arn
    if not machine:  # without it every run would look gone and every open order be ended
        raise Unavailable("RESCUE_STATE_MACHINE_ARN is not configured: no order can be judged orphaned", field="RESCUE_STATE_MACHINE_ARN")
    cutoff = None if every_open else store.iso(store.utcnow() - older_than)
    ended = 0
    for order in order_store.due_by(cutoff):
        if workflows.status(workflows.execution_arn(machine, order.execution_name)) == "RUNNING":
            continue  # late, not lost: looked at again next sweep until its run moves it
        release_truck(StepInput(order_id=order.order_id, case_id=order.case_id, error=StepError(Error=reason)))
        ended += 1
    return ended
