"""What a rescue work order carries besides its status: where to pick up, the offers made, the
ETA promised, the dispatcher alerts raised and the callback its workflow waits for.

Typed so services say `offer.truck_id`; their aliases are the camelCase keys the order has
always been stored with (`store.rescue` keeps them as maps).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from chalicelib.domain import dispatch, geo

# The workflow's wait for a driver's answer to an offer (the other waits are dispatch milestones).
OFFER_ANSWER = "OFFER"


class _Part(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Pickup(_Part):
    lat: float
    lng: float
    address: str

    @property
    def point(self) -> geo.Point:
        return geo.Point(self.lat, self.lng)


class Offer(_Part):
    """The job offered to one truck in one dispatch round, and how it was answered."""

    truck_id: str
    distance_m: int
    offered_at: str
    expires_at: str
    answer: str = dispatch.OPEN_OFFER
    answered_at: str | None = None
    reason: str | None = None
    round: int = 1

    @property
    def is_open(self) -> bool:
        return self.answer == dispatch.OPEN_OFFER

    def close(self, answer: str, at: str, reason: str | None = None) -> None:
        self.answer, self.answered_at = answer, at
        if reason is not None:
            self.reason = reason


class Eta(_Part):
    minutes: int
    road_distance_m: int
    arrive_by: str


class Alert(_Part):
    """A dispatcher was alerted that the driver's report of `milestone` is overdue."""

    milestone: str
    at: str


class Waiting(_Part):
    """The task token the workflow waits on: a driver's answer to an offer (`truck_id` set) or report."""

    milestone: str
    token: str
    since: str
    truck_id: str | None = None
    # The run's wait for the next report once this one is in (the arrival's: the completion's).
    next_wait_seconds: int | None = None
