"""Given typed objects kept in DynamoDB maps, they survive the wire format unchanged and items
written before the fields were typed (plain maps, camelCase keys) still load."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from pynamodb.attributes import ListAttribute, MapAttribute

from chalicelib.domain.dispatch import Candidate
from chalicelib.domain.rescue_order import Offer, Waiting
from chalicelib.store.typed_attributes import TypedListAttribute, TypedMapAttribute


class Amounts(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    whole_yuan: int
    share: float
    huge: int
    note: str | None = None
    limits: dict[str, int] = {}
    tags: list[str] = []


def _over_the_wire(value: object) -> object:
    """What botocore sends and receives: JSON, numbers as strings."""
    return json.loads(json.dumps(value))


def test_given_a_model_when_it_goes_over_the_wire_and_back_then_it_is_equal_with_its_numbers_exact():
    attribute = TypedMapAttribute(Amounts)
    amounts = Amounts(whole_yuan=2_000, share=0.35, huge=10**18 + 1, limits={"medical": 18_000}, tags=["交强险"])

    wire = _over_the_wire(attribute.serialize(amounts))

    assert wire["wholeYuan"] == {"N": "2000"} and wire["share"] == {"N": "0.35"} and wire["huge"] == {"N": str(10**18 + 1)}
    assert wire["limits"] == {"M": {"medical": {"N": "18000"}}} and wire["tags"] == {"L": [{"S": "交强险"}]}
    loaded = attribute.deserialize(wire)
    assert loaded == amounts and isinstance(loaded.whole_yuan, int) and isinstance(loaded.share, float)


def test_given_a_field_left_at_none_then_it_is_not_written_and_loads_as_its_default():
    wire = TypedMapAttribute(Amounts).serialize(Amounts(whole_yuan=1, share=1.5, huge=0))
    assert "note" not in wire
    assert TypedMapAttribute(Amounts).deserialize(wire).note is None


def test_given_a_list_of_models_and_dataclasses_then_each_round_trips_in_order():
    offers = [Offer(truck_id="TT01", distance_m=1_200, offered_at="a", expires_at="b", round=2),
              Offer(truck_id="TT02", distance_m=900, offered_at="c", expires_at="d", answer="DECLINED", reason="车辆故障")]
    candidates = [Candidate("TT01", 1_200), Candidate("TT02", 900)]

    offer_wire = _over_the_wire(TypedListAttribute(Offer).serialize(offers))
    candidate_wire = _over_the_wire(TypedListAttribute(Candidate).serialize(candidates))

    assert TypedListAttribute(Offer).deserialize(offer_wire) == offers
    assert candidate_wire == [{"M": {"truckId": {"S": "TT01"}, "distanceM": {"N": "1200"}}},
                              {"M": {"truckId": {"S": "TT02"}, "distanceM": {"N": "900"}}}]
    assert TypedListAttribute(Candidate).deserialize(candidate_wire) == candidates


def test_given_maps_written_by_plain_map_and_list_attributes_then_they_load_as_typed_objects():
    legacy_offers = ListAttribute().serialize([{"truckId": "TT07", "distanceM": 3_400, "offeredAt": "a", "expiresAt": "b",
                                                "answer": "TIMED_OUT", "answeredAt": "c"}])  # written before rounds existed
    legacy_waiting = MapAttribute().serialize({"milestone": "OFFER", "token": "t", "truckId": "TT07", "since": "a"})

    [offer] = TypedListAttribute(Offer).deserialize(_over_the_wire(legacy_offers))
    waiting = TypedMapAttribute(Waiting).deserialize(_over_the_wire(legacy_waiting))

    assert (offer.truck_id, offer.distance_m, offer.answer, offer.round, offer.reason) == ("TT07", 3_400, "TIMED_OUT", 1, None)
    assert (waiting.milestone, waiting.truck_id) == ("OFFER", "TT07")
    # Written back, the layout is the one it was read from (plus the round it defaulted to).
    assert TypedListAttribute(Offer).serialize([offer]) == [{"M": {**legacy_offers[0]["M"], "round": {"N": "1"}}}]


def test_given_an_open_offer_when_it_is_answered_then_it_is_closed_with_the_answer_time_and_any_reason():
    offer = Offer(truck_id="TT01", distance_m=1, offered_at="a", expires_at="b")
    assert offer.is_open
    offer.close("DECLINED", "c", "车辆故障")
    assert (offer.is_open, offer.answer, offer.answered_at, offer.reason) == (False, "DECLINED", "c", "车辆故障")
