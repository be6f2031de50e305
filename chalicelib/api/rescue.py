"""One-click rescue: the request and the order (parties, police), the dispatcher's queue, the
tow driver's offers and reports, truck positions and the fleet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import NamesParty, json_response, operation
from chalicelib.domain.principals import POLICE, Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.rescue import (
        CancelRescue,
        DeclineOffer,
        OfferAnswer,
        QueueQuery,
        ReportArrival,
        ReportCompletion,
        RequestRescue,
        RescueArea,
        RescueQueue,
        RescueView,
        TowJob,
        TowOffers,
        TruckList,
        TruckPosition,
        TruckQuery,
        TruckView,
    )

blueprint = Blueprint(__name__)
R = "chalicelib.contracts.rescue"
CASE_PEOPLE = frozenset({Role.PARTY, Role.WECHAT_USER}) | POLICE
TOW = frozenset({Role.TOW})


@operation(blueprint, "/cases/{caseId}/rescue", "POST",
           summary="One tap: open a rescue work order, report it to the vehicle's insurer, dispatch the nearest standby tow truck "
                   "(201; 200 with the open order when the vehicle already has one)",
           roles=CASE_PEOPLE, body=f"{R}:RequestRescue", reply=f"{R}:RescueView", status=201,
           names_party=NamesParty("partyId"))
def post_rescue(principal: Principal, case_id: str, body: RequestRescue) -> Any:
    from chalicelib.services.rescue import orders

    order, created = orders.request(principal, case_id, body)
    return json_response(order.wire(), 201 if created else 200)


@operation(blueprint, "/cases/{caseId}/rescue/{orderId}", "GET",
           summary="A rescue order with every offer (truck, distance, answer or timeout), the assigned truck and its ETA",
           roles=CASE_PEOPLE | {Role.TOW}, reply=f"{R}:RescueView")
def get_rescue(principal: Principal, case_id: str, order_id: str) -> RescueView:
    from chalicelib.services.rescue import orders

    return orders.view(principal, case_id, order_id)


@operation(blueprint, "/cases/{caseId}/rescue/{orderId}/cancel", "POST",
           summary="Cancel an open rescue order: the truck it holds goes back on standby and its workflow stops (police say why)",
           roles=CASE_PEOPLE, body=f"{R}:CancelRescue", reply=f"{R}:RescueView", names_party=NamesParty("orderId"))
def post_rescue_cancel(principal: Principal, case_id: str, order_id: str, body: CancelRescue) -> RescueView:
    from chalicelib.services.rescue import orders

    return orders.cancel(principal, case_id, order_id, body)


@operation(blueprint, "/cases/{caseId}/rescue/{orderId}/redispatch", "POST",
           summary="Dispatch an escalated order again: a new search and a new round of offers (every truck may be asked again)",
           roles=POLICE, reply=f"{R}:RescueView", names_party=NamesParty("orderId"))
def post_rescue_redispatch(principal: Principal, case_id: str, order_id: str) -> RescueView:
    from chalicelib.services.rescue import orders

    return orders.redispatch(principal, case_id, order_id)


@operation(blueprint, "/portal/rescue", "GET",
           summary="Rescue orders of the caller's unit by status, oldest first (ESCALATED: no truck took the job), "
                   "or alerting=true: orders whose driver is overdue",
           roles=POLICE, reply=f"{R}:RescueQueue", query=f"{R}:QueueQuery")
def get_rescue_queue(principal: Principal, query: QueueQuery) -> RescueQueue:
    from chalicelib.services.rescue import orders

    return orders.queue(principal, query)


@operation(blueprint, "/tow/offers", "GET", summary="The job offered to this truck and waiting for its answer",
           roles=TOW, reply=f"{R}:TowOffers")
def get_tow_offers(principal: Principal) -> TowOffers:
    from chalicelib.services.rescue import driver

    return driver.offers(principal)


@operation(blueprint, "/tow/orders/{orderId}/accept", "POST", summary="Take the job offered to this truck",
           roles=TOW, reply=f"{R}:OfferAnswer", status=202)
def post_tow_accept(principal: Principal, order_id: str) -> OfferAnswer:
    from chalicelib.services.rescue import driver

    return driver.accept(principal, order_id)


@operation(blueprint, "/tow/orders/{orderId}/decline", "POST", summary="Turn down the job; it is offered to the next truck",
           roles=TOW, body=f"{R}:DeclineOffer", reply=f"{R}:OfferAnswer")
def post_tow_decline(principal: Principal, order_id: str, body: DeclineOffer) -> OfferAnswer:
    from chalicelib.services.rescue import driver

    return driver.decline(principal, order_id, body)


@operation(blueprint, "/tow/orders/{orderId}/arrived", "POST", summary="The truck is at the pickup",
           roles=TOW, body=f"{R}:ReportArrival", reply=f"{R}:RescueView")
def post_tow_arrived(principal: Principal, order_id: str, body: ReportArrival) -> RescueView:
    from chalicelib.services.rescue import driver

    return driver.arrived(principal, order_id, body)


@operation(blueprint, "/tow/orders/{orderId}/completed", "POST",
           summary="The vehicle is at the repair shop: the truck is free, the hand-off is recorded and the insurer told",
           roles=TOW, body=f"{R}:ReportCompletion", reply=f"{R}:RescueView")
def post_tow_completed(principal: Principal, order_id: str, body: ReportCompletion) -> RescueView:
    from chalicelib.services.rescue import driver

    return driver.completed(principal, order_id, body)


@operation(blueprint, "/tow/trucks/{truckId}/position", "PUT",
           summary="A truck reports its position (its own tow token only); onDuty=false takes it off standby",
           roles=TOW, body=f"{R}:TruckPosition", reply=f"{R}:TruckView")
def put_truck_position(principal: Principal, truck_id: str, body: TruckPosition) -> TruckView:
    from chalicelib.services.rescue import driver

    return driver.move(principal, truck_id, body)


@operation(blueprint, "/tow/trucks", "GET", summary="The city's tow trucks with status and position, a page at a time",
           roles=POLICE, reply=f"{R}:TruckList", query=f"{R}:TruckQuery")
def get_trucks(principal: Principal, query: TruckQuery) -> TruckList:
    from chalicelib.services.rescue import driver

    return driver.trucks(principal, query)


@operation(blueprint, "/tow/job", "GET", summary="This truck's status and the order it took and has not completed yet (null when none)",
           roles=TOW, reply=f"{R}:TowJob")
def get_tow_job(principal: Principal) -> TowJob:
    from chalicelib.services.rescue import driver

    return driver.job(principal)


@operation(blueprint, "/portal/rescue/area", "GET", summary="The caller's police unit and the area it serves: the frame of the fleet map",
           roles=POLICE, reply=f"{R}:RescueArea")
def get_rescue_area(principal: Principal) -> RescueArea:
    from chalicelib.services.rescue import orders

    return orders.area(principal)
