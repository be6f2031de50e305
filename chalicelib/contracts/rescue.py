"""One-click rescue: the party's or officer's request, the order views, the tow driver's calls,
and the input of each workflow step."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from chalicelib.contracts.common import Contract, GeoPoint, Latitude, Lines, Location, Longitude, Reply, StrictBool, Text
from chalicelib.domain import dispatch

ShopCode = str


class RequestRescue(Contract):
    party_id: str | None = Field(
        default=None, min_length=2, max_length=20,
        description="the party whose vehicle is towed; a party's own token may leave it out",
    )
    vehicle_id: str | None = Field(default=None, min_length=2, max_length=20, description="the same as partyId (a vehicle is its party's)")
    pickup: Location
    destination: ShopCode | None = Field(
        default=None, min_length=2, max_length=16, description="a repair shop code (GET /repair-shops), or null"
    )
    notes: Lines | None = Field(default=None, max_length=500)


class CancelRescue(Contract):
    reason: Text | None = Field(default=None, max_length=200, description="why; required when police close the order")


class DeclineOffer(Contract):
    reason: Text | None = Field(default=None, max_length=200)


class ReportArrival(Contract):
    lat: Latitude | None = None
    lng: Longitude | None = None


class ReportCompletion(Contract):
    dropoff: ShopCode = Field(min_length=2, max_length=16, description="the repair shop the vehicle was left at")


class TruckPosition(GeoPoint):
    on_duty: StrictBool | None = Field(default=None, description="false goes OFFLINE, true back to STANDBY; left out keeps the status")


class QueueQuery(Contract):
    status: Literal[dispatch.ORDER_STATUSES] = dispatch.ESCALATED  # type: ignore[valid-type]
    alerting: bool = Field(default=False, description="true: orders whose driver's report is overdue, newest alert first")
    newest_first: bool = Field(default=False, description="true: the latest to reach the status first (closed and completed orders)")
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class OfferView(Reply):
    truck_id: str
    distance_m: int
    offered_at: str
    expires_at: str
    answer: str
    answered_at: str | None = None
    reason: str | None = None
    round: int = 1


class EtaView(Reply):
    minutes: int
    road_distance_m: int
    arrive_by: str


class AlertView(Reply):
    milestone: str = Field(description="the driver's report that was overdue: ARRIVAL or COMPLETION")
    at: str


class TruckSummary(Reply):
    truck_id: str
    plate: str
    company: str


class RescueView(Reply):
    order_id: str
    case_id: str
    status: str
    round: int
    status_since: str
    requested_at: str
    party_id: str
    insurer_code: str | None
    pickup: Location
    destination: str | None
    notes: str | None
    offers: list[OfferView]
    truck: TruckSummary | None
    eta: EtaView | None
    alerts: list[AlertView]
    arrived_at: str | None
    completed_at: str | None
    dropoff: str | None
    handoff_id: str | None
    outcome: str | None


class RescueQueueEntry(Reply):
    order_id: str
    case_id: str
    status: str
    status_since: str
    pickup: Location
    offers: int
    outcome: str | None


class RescueQueue(Reply):
    orders: list[RescueQueueEntry]
    next_token: str | None


class TowOffer(Reply):
    order_id: str
    case_id: str
    pickup: Location
    destination: str | None
    distance_m: int
    offered_at: str
    expires_at: str


class TowOffers(Reply):
    offers: list[TowOffer]


class OfferAnswer(Reply):
    order_id: str
    answer: str


class TruckView(Reply):
    truck_id: str
    plate: str
    company: str
    status: str
    status_since: str | None
    lat: float
    lng: float
    position_at: str | None
    order_id: str | None


class TruckQuery(Contract):
    limit: int = Field(default=100, ge=1, le=500, description="trucks a page (a city's whole fleet is a few pages at most)")
    next_token: str | None = Field(default=None, max_length=2000)


class TruckList(Reply):
    trucks: list[TruckView]
    next_token: str | None = Field(default=None, description="the next page's token; null on the last page")


class TowJob(Reply):
    truck: TruckView
    order: RescueView | None = Field(description="the order this truck took and has not completed yet, or null")


class AreaBox(Reply):
    south: float
    west: float
    north: float
    east: float


class RescueArea(Reply):
    code: str
    name: str
    bbox: AreaBox = Field(description="the area the unit serves (WGS-84): the frame of the dispatcher's fleet map")


# Workflow step input: what the state machine passes each function (see statemachines/rescue.asl.json).
class StepConfig(Contract):
    model_config = Contract.model_config | {"extra": "ignore"}

    offer_seconds: int = Field(ge=1)
    completion_seconds: int = Field(ge=1)
    alert_seconds: int = Field(ge=1)
    max_alerts: int = Field(ge=1)
    arrival_seconds: int | None = Field(default=None, ge=1)


class StepError(Contract):
    model_config = Contract.model_config | {"extra": "ignore", "alias_generator": None}

    Error: str
    Cause: str | None = None


class StepInput(Contract):
    model_config = Contract.model_config | {"extra": "ignore"}

    order_id: str = Field(min_length=3, max_length=40)
    case_id: str = Field(min_length=3, max_length=40)
    config: StepConfig | None = None
    task_token: str | None = Field(default=None, max_length=2048)
    milestone: Literal["ARRIVAL", "COMPLETION"] | None = None
    answer: dict[str, Any] | None = None
    error: StepError | None = None
    execution_id: str | None = Field(default=None, max_length=300)
