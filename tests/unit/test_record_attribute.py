"""Domain records stored as DynamoDB maps: the wire form is the camelCase layout of before."""

from pynamodb.attributes import MapAttribute

from chalicelib.domain.claim import ClaimLimits
from chalicelib.domain.decisions import Agreement, Deadlines, Determination, Signature
from chalicelib.store.typed_attributes import TypedMapAttribute

DETERMINATION = Determination(
    scenario="REAR_END", scenario_label="追尾", facts="甲方追撞乙方车辆尾部。", liabilities={"P1": "FULL", "P2": "NONE"},
    suggested={"P1": "FULL", "P2": "NONE"}, damage_shares={"P1": 100}, collision_parts={"P1": "前部", "P2": None},
    determined_at="2026-11-25T00:40:00.000+00:00", officer="officer:O1", officer_badge="320917",
    deadlines=Deadlines(served_on="2026-11-25", review_by="2026-11-28", mediation_request_by="2026-12-09", provisional=False),
)


def _through_the_wire(attribute: TypedMapAttribute, value):  # type: ignore[no-untyped-def]
    return attribute.deserialize(attribute.serialize(value))


def test_given_a_determination_when_stored_then_it_reads_back_equal_and_camel_cased():
    attribute = TypedMapAttribute(Determination)
    wire = attribute.serialize(DETERMINATION)
    assert wire["officerBadge"] == {"S": "320917"}
    assert wire["deadlines"]["M"]["reviewBy"] == {"S": "2026-11-28"}
    assert wire["damageShares"]["M"]["P1"] == {"N": "100"}
    assert wire["collisionParts"]["M"]["P2"] == {"NULL": True}  # a value of a map is kept, even None
    assert _through_the_wire(attribute, DETERMINATION) == DETERMINATION


def test_given_a_map_written_before_the_record_was_typed_then_it_reads_with_unknown_keys_kept():
    legacy = {**DETERMINATION.model_dump(mode="json", by_alias=True), "legacyNote": "kept"}
    raw = MapAttribute().serialize(legacy)
    read = TypedMapAttribute(Determination).deserialize(raw)
    assert read.officer_badge == "320917" and read.refusals_on_letter == 0
    assert TypedMapAttribute(Determination).serialize(read)["legacyNote"] == {"S": "kept"}


def test_given_numbers_as_dynamodb_returns_them_then_fen_stay_integers():
    # DynamoDB returns numbers in canonical form; pydantic takes them back as the declared ints.
    raw = {"deathDisability": {"N": "18000000"}, "medical": {"N": "1800000.0"}, "property": {"N": "200000"}}
    limits = TypedMapAttribute(ClaimLimits).deserialize(raw)
    assert limits == ClaimLimits(death_disability=18_000_000, medical=1_800_000, property=200_000)
    assert all(isinstance(v, int) for v in limits.model_dump().values())



def test_given_an_agreement_then_signatures_are_records_and_all_must_accept():
    agreement = Agreement(scenario="REAR_END", scenario_label="追尾", facts="双方协商一致。", liabilities={"P1": "FULL", "P2": "NONE"},
                          proposed_by="P1", proposed_at="t0", signatures={"P1": Signature(accept=True, at="t0")})
    stored = _through_the_wire(TypedMapAttribute(Agreement), agreement)
    assert stored.signatures["P1"].accept is True
    assert not stored.signed_by_all(["P1", "P2"])
    signed = stored.model_copy(update={"signatures": {**stored.signatures, "P2": Signature(accept=True, at="t1")}})
    assert signed.signed_by_all(["P1", "P2"])
