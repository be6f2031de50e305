"""The rescue workflow's steps (statemachines/rescue.asl.json): each reads the order, checks it is
still where the workflow thinks it is, and changes it through the case's transaction.

A step that finds the order closed (cancelled meanwhile) raises OrderClosed and the run ends
quietly; a failure anywhere after a truck was reserved reaches `release_truck`, the compensation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.contracts.rescue import StepConfig, StepInput
from chalicelib.domain import dispatch, geo
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Conflict, NotFound, OrderClosed, Unavailable, ValidationFailed
from chalicelib.integrations import workflows
from chalicelib.services import rescue
from chalicelib.store import cases as store
from chalicelib.store import fleet
from chalicelib.store.models import RescueOrderItem

WORKFLOW = Principal(subject="rescue-workflow", role=Role.SYSTEM)
ASSIGNED_TEXT = "救援车辆 {plate}（{company}）已接单，距您约 {km} 公里，预计 {minutes} 分钟内到达（{time} 前），请在安全处等候。"
ESCALATED_TEXT = "附近暂无救援车辆接单，已转调度员人工调派，请保持电话畅通。"
FAILED_TEXT = "救援调度出现异常（工单 {order_id}），调度员将尽快与您联系。"
# The order statuses in which a milestone counts as already reported.
PASSED = {dispatch.ARRIVAL: frozenset({dispatch.ARRIVED, dispatch.COMPLETED}), dispatch.COMPLETION: frozenset({dispatch.COMPLETED})}


def _order(record: store.CaseRecord, order_id: str, allowed: frozenset[str]) -> RescueOrderItem:
    order = record.rescue(order_id)
    if order is None:
        raise NotFound("no such rescue order on this case", field="orderId")
    if order.status not in allowed:
        raise OrderClosed(f"the rescue order is {order.status}", field="status", status=order.status)
    return order


def _still_awaited(record: store.CaseRecord, order_id: str, milestone: str) -> RescueOrderItem | None:
    """The order while it waits for the driver's `milestone` report; None once the report is in.
    An order that ended otherwise is OrderClosed."""
    passed = PASSED[milestone]
    order = _order(record, order_id, passed | {dispatch.MILESTONE_STATUS[milestone]})
    return None if order.status in passed else order


def _now() -> tuple[Any, str]:
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
    rules = rescue.rules()

    def decide(record: store.CaseRecord) -> store.Change:
        order = _order(record, step.order_id, dispatch.UNASSIGNED)
        was = order.status
        pickup = store.plain(order.pickup)
        # Searched within the decision: only a concurrent change to the case searches again.
        candidates = fleet.nearest_standby(geo.Point(float(pickup["lat"]), float(pickup["lng"])), rules)
        order.candidates = [c.as_dict() for c in candidates]
        detail = {"orderId": order.order_id, "candidates": order.candidates}
        return store.Change(action="RESCUE_CANDIDATES_FOUND", detail=detail, replaces=[rescue.replace(order, was)],
                            result=len(candidates))

    return {"candidates": store.mutate(WORKFLOW, step.case_id, decide).result}


def offer_next(step: StepInput) -> dict[str, Any]:
    """Reserve the nearest candidate not yet asked and offer it the job; the run then waits for
    the driver's answer (task token kept on the order) until the offer times out."""
    rules = rescue.rules()
    token, seconds = _token(step), _config(step).offer_seconds

    def decide(record: store.CaseRecord) -> store.Change:
        order = _order(record, step.order_id, dispatch.UNASSIGNED)
        was = order.status
        moment, at = _now()
        offer = rescue.open_offer(order)
        if offer is not None:  # the step was retried after its offer was written: keep the offer, new token
            order.waiting = {"milestone": "OFFER", "token": token, "truckId": offer["truckId"], "since": at}
            detail = {"orderId": order.order_id, "truckId": offer["truckId"], "renewed": True}
            return store.Change(action="RESCUE_OFFERED", detail=detail, replaces=[rescue.replace(order, was)])
        candidates = [dispatch.Candidate(c["truckId"], int(c["distanceM"])) for c in store.plain_list(order.candidates)]
        offers = store.plain_list(order.offers)
        this_round = int(order.round or 1)
        asked = [o["truckId"] for o in offers if int(o.get("round", 1)) == this_round]
        unavailable: set[str] = set()
        while True:
            candidate = dispatch.next_candidate(candidates, asked, unavailable, rules)
            truck = fleet.get(candidate.truck_id)
            if truck is not None and truck.status == dispatch.STANDBY:
                break
            unavailable.add(candidate.truck_id)  # taken or gone off duty since the search
        truck.status = dispatch.TRUCK_OFFERED
        truck.status_since = at
        truck.order_id, truck.case_id = order.order_id, order.case_id
        fleet.index(truck)
        expires = store.iso(moment + timedelta(seconds=seconds))
        offers.append({"truckId": truck.truck_id, "distanceM": candidate.distance_m, "offeredAt": at, "expiresAt": expires,
                       "answer": dispatch.OPEN_OFFER, "round": this_round})
        order.offers = offers
        order.waiting = {"milestone": "OFFER", "token": token, "truckId": truck.truck_id, "since": at}
        rescue.set_status(order, dispatch.OFFERED, at)
        detail = {"orderId": order.order_id, "truckId": truck.truck_id, "distanceM": candidate.distance_m, "expiresAt": expires}
        return store.Change(action="RESCUE_OFFERED", detail=detail, replaces=[(truck, None), rescue.replace(order, was)])

    store.mutate(WORKFLOW, step.case_id, decide)
    return {"offered": True}


def close_offer(step: StepInput) -> dict[str, Any]:
    """The driver declined or did not answer in time: the offer is closed, the truck freed."""
    answer = dispatch.DECLINED if step.error is not None and step.error.Error == "OfferDeclined" else dispatch.TIMED_OUT

    def decide(record: store.CaseRecord) -> list[store.Change]:
        order = _order(record, step.order_id, dispatch.UNASSIGNED)
        offer = rescue.open_offer(order)
        if offer is None:
            return []  # the driver's decline already closed it
        was = order.status
        _, at = _now()
        rescue.set_offer(order, {**offer, "answer": answer, "answeredAt": at})
        replaces: list[Any] = []
        truck = fleet.get(offer["truckId"])
        if rescue.release(truck, order.order_id, at):
            replaces.append((truck, None))
        order.waiting = None
        rescue.set_status(order, dispatch.SEARCHING, at)
        replaces.append(rescue.replace(order, was))
        detail = {"orderId": order.order_id, "truckId": offer["truckId"]}
        return [store.Change(action=f"RESCUE_OFFER_{answer}", detail=detail, replaces=replaces)]

    store.mutate(WORKFLOW, step.case_id, decide)
    return {"answer": answer}


def assign_truck(step: StepInput) -> dict[str, Any]:
    """The driver accepted: the truck is busy, the ETA is computed and sent to the parties."""
    rules = rescue.rules()
    config = _config(step)
    truck_id = str((step.answer or {}).get("truckId", ""))

    def decide(record: store.CaseRecord) -> store.Change:
        order = _order(record, step.order_id, frozenset({dispatch.OFFERED}))
        offer = rescue.open_offer(order)
        if offer is None or offer["truckId"] != truck_id:
            raise OrderClosed("the accepted offer is no longer open", field="truckId")
        truck = fleet.get(truck_id)
        if truck is None or truck.order_id != order.order_id:
            raise Conflict("the truck is no longer reserved for this order", field="truckId")
        moment, at = _now()
        pickup = store.plain(order.pickup)
        straight = geo.distance_m(geo.Point(float(truck.lat), float(truck.lng)), geo.Point(float(pickup["lat"]), float(pickup["lng"])))
        road = dispatch.road_distance_m(straight, rules)
        minutes = dispatch.eta_minutes(road, rules)
        arrive_by = moment + timedelta(minutes=minutes)
        truck.status = dispatch.BUSY
        truck.status_since = at
        fleet.index(truck)
        rescue.set_offer(order, {**offer, "answer": dispatch.ACCEPTED, "answeredAt": at})
        order.truck_id = truck_id
        order.eta = {"minutes": minutes, "roadDistanceM": road, "arriveBy": store.iso(arrive_by)}
        order.waiting = None
        rescue.set_status(order, dispatch.ASSIGNED, at)
        text = ASSIGNED_TEXT.format(plate=truck.plate, company=truck.company, km=f"{road / 1000:.1f}", minutes=minutes,
                                    time=arrive_by.astimezone(CHINA).strftime("%H:%M"))
        deadline = dispatch.arrival_deadline(moment, minutes, rules)
        wait = config.arrival_seconds or max(1, int((deadline - moment).total_seconds()))
        return store.Change(
            action="RESCUE_ASSIGNED",
            detail={"orderId": order.order_id, "truckId": truck_id, "etaMinutes": minutes, "roadDistanceM": road},
            replaces=[(truck, None), rescue.replace(order, dispatch.OFFERED)],
            puts=rescue.notify_parties(record, "rescue.assigned", text, at),
            result=wait,
        )

    wait = store.mutate(WORKFLOW, step.case_id, decide).result
    return {"alerts": 0, "passed": False, "waitSeconds": wait}


def await_milestone(step: StepInput) -> None:
    """Keep the task token the driver's report will answer; if the report came first, answer it now."""
    token = _token(step)
    milestone = step.milestone or dispatch.ARRIVAL
    expected = dispatch.MILESTONE_STATUS[milestone]

    def decide(record: store.CaseRecord) -> list[store.Change]:
        order = _still_awaited(record, step.order_id, milestone)
        if order is None:
            return []
        _, at = _now()
        order.waiting = {"milestone": milestone, "token": token, "since": at}
        detail = {"orderId": order.order_id, "milestone": milestone}
        return [store.Change(action="RESCUE_AWAITING", detail=detail, replaces=[rescue.replace(order, expected)], result=True)]

    if not store.mutate(WORKFLOW, step.case_id, decide).result:
        workflows.succeed(token, {"passed": True, "milestone": milestone})


def raise_alert(step: StepInput) -> dict[str, Any]:
    """A report is overdue: a dispatcher is alerted (GET /portal/rescue?alerting=true)."""
    milestone = step.milestone or dispatch.ARRIVAL
    expected = dispatch.MILESTONE_STATUS[milestone]
    config = _config(step)

    def decide(record: store.CaseRecord) -> list[store.Change]:
        order = _still_awaited(record, step.order_id, milestone)
        if order is None:
            return []
        _, at = _now()
        alerts = [*store.plain_list(order.alerts), {"milestone": milestone, "at": at}]
        order.alerts = alerts
        order.waiting = None
        rescue.flag_alert(order, at)
        count = sum(1 for a in alerts if a["milestone"] == milestone)
        detail = {"orderId": order.order_id, "milestone": milestone, "alerts": count}
        return [store.Change(action="RESCUE_ALERTED", detail=detail, replaces=[rescue.replace(order, expected)], result=count)]

    count = store.mutate(WORKFLOW, step.case_id, decide).result
    if count is None:
        return {"alerts": 0, "passed": True, "waitSeconds": config.alert_seconds}
    return {"alerts": count, "passed": False, "waitSeconds": config.alert_seconds}


def escalate(step: StepInput) -> dict[str, Any]:
    """No truck took the job: the order waits in the dispatcher queue and the parties are told."""

    def decide(record: store.CaseRecord) -> store.Change:
        order = _order(record, step.order_id, dispatch.UNASSIGNED)
        was = order.status
        _, at = _now()
        order.waiting = None
        order.outcome = "no standby tow truck took the job"
        rescue.set_status(order, dispatch.ESCALATED, at)
        detail = {"orderId": order.order_id, "offers": len(order.offers or [])}
        return store.Change(action="RESCUE_ESCALATED", detail=detail, replaces=[rescue.replace(order, was)],
                            puts=rescue.notify_parties(record, "rescue.escalated", ESCALATED_TEXT, at))

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
        replaces: list[Any] = []
        truck_id = rescue.withdraw(order, at)
        truck = fleet.get(truck_id) if truck_id else None
        released = rescue.release(truck, order.order_id, at)
        if released:
            replaces.append((truck, None))
        order.waiting = None
        order.outcome = reason
        rescue.clear_alert(order)
        rescue.set_status(order, dispatch.FAILED, at)
        replaces.append(rescue.replace(order, was))
        detail = {"orderId": order.order_id, "reason": reason, "truckReleased": truck_id if released else None}
        return store.Change(action="RESCUE_FAILED", detail=detail, replaces=replaces, result=detail["truckReleased"],
                            puts=rescue.notify_parties(record, "rescue.failed", FAILED_TEXT.format(order_id=order.order_id), at))

    return {"released": store.mutate(WORKFLOW, step.case_id, decide).result}


def release_orphans(reason: str, older_than: timedelta = timedelta(0)) -> int:
    """End every open order of every configured unit whose run is not running — it ended without
    closing the order, never started, or (locally) did not survive a restart — through the same
    compensation as a failed run. Orders younger than `older_than` are left alone: their run
    may be starting. Returns how many were ended."""
    from chalicelib import config
    from chalicelib.contracts.rescue import StepError
    from chalicelib.settings import get_settings
    from chalicelib.store.models import RescueOrderItem

    machine = get_settings().rescue_state_machine_arn
    if not machine:  # without it every run would look gone and every open order be ended
        raise Unavailable("RESCUE_STATE_MACHINE_ARN is not configured: no order can be judged orphaned", field="RESCUE_STATE_MACHINE_ARN")
    cutoff = store.iso(store.utcnow() - older_than)
    ended = 0
    for unit in config.load("jurisdictions")["units"]:
        for status in sorted(dispatch.OPEN):
            for order in RescueOrderItem.gsi1.query(rescue.rescue_queue_key(unit["code"], status)):
                if order.requested_at > cutoff:
                    continue
                if workflows.status(workflows.execution_arn(machine, order.execution_name)) == "RUNNING":
                    continue
                release_truck(StepInput(order_id=order.order_id, case_id=order.case_id, error=StepError(Error=reason)))
                ended += 1
    return ended
