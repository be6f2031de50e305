from chalicelib import config
from chalicelib.domain import evidence as ev

SPEC = config.load("evidence")
TWO = [ev.VehicleRef("PA", 1), ev.VehicleRef("PB", 2)]


def _ref(evidence_id, kind, party=None, status=ev.VERIFIED, at="2026-10-01T00:00:00"):
    return ev.EvidenceRef(evidence_id, kind, party, status, at)


def _all_verified(vehicles):
    return [_ref(f"E{i}", kind, party) for i, (kind, party, _) in enumerate(ev.required_slots(SPEC, vehicles))]


def test_given_two_vehicles_when_listing_slots_then_per_vehicle_shots_for_each_and_both_in_frame():
    slots = ev.required_slots(SPEC, TWO)
    kinds = [(k, p) for k, p, _ in slots]
    assert ("FRONT_WITH_PLATE", "PA") in kinds and ("FRONT_WITH_PLATE", "PB") in kinds
    assert ("REAR_WITH_PLATE", "PA") in kinds and ("REAR_WITH_PLATE", "PB") in kinds
    assert ("COLLISION_CLOSEUP", None) in kinds and ("SCENE_PANORAMA", None) in kinds
    assert ("ALL_VEHICLES", None) in kinds
    assert all(k != "OTHER" for k, _ in kinds)
    assert dict(((k, p), label) for k, p, label in slots)[("FRONT_WITH_PLATE", "PB")].startswith("乙方")


def test_given_one_vehicle_when_listing_slots_then_no_both_vehicles_shot():
    kinds = [k for k, _, _ in ev.required_slots(SPEC, [ev.VehicleRef("PA", 1)])]
    assert "ALL_VEHICLES" not in kinds


def test_given_every_slot_verified_when_checked_then_complete():
    assert ev.is_complete(ev.checklist(SPEC, TWO, _all_verified(TWO)))


def test_given_one_slot_pending_when_checked_then_incomplete_and_marked_uploading():
    refs = _all_verified(TWO)
    refs[0] = _ref("E0", refs[0].kind, refs[0].party_id, status=ev.PENDING)
    items = ev.checklist(SPEC, TWO, refs)
    assert not ev.is_complete(items)
    assert items[0].status == ev.UPLOADING


def test_given_rejected_then_verified_retake_when_checked_then_slot_verified_with_retake():
    refs = [_ref("OLD", "SCENE_PANORAMA", status=ev.REJECTED, at="1"), _ref("NEW", "SCENE_PANORAMA", at="2")]
    item = next(i for i in ev.checklist(SPEC, TWO, refs) if i.kind == "SCENE_PANORAMA")
    assert (item.status, item.evidence_id) == (ev.VERIFIED, "NEW")


def test_given_verified_then_new_pending_when_checked_then_verified_one_is_kept():
    refs = [_ref("GOOD", "SCENE_PANORAMA", at="1"), _ref("LATER", "SCENE_PANORAMA", status=ev.PENDING, at="2")]
    item = next(i for i in ev.checklist(SPEC, TWO, refs) if i.kind == "SCENE_PANORAMA")
    assert (item.status, item.evidence_id) == (ev.VERIFIED, "GOOD")


def test_given_per_vehicle_shot_without_party_when_two_vehicles_then_party_required():
    assert ev.resolve_slot(SPEC, TWO, "FRONT_WITH_PLATE", None) == (None, "partyId is required: this shot is taken of each vehicle")


def test_given_per_vehicle_shot_without_party_when_one_vehicle_then_that_vehicle():
    assert ev.resolve_slot(SPEC, [ev.VehicleRef("PA", 1)], "REAR_WITH_PLATE", None) == ("PA", None)


def test_given_unknown_kind_or_party_when_resolving_then_reason_given():
    assert ev.resolve_slot(SPEC, TWO, "SELFIE", None)[1].startswith("unknown kind")
    assert ev.resolve_slot(SPEC, TWO, "FRONT_WITH_PLATE", "PX")[1] == "partyId is not a party with a vehicle in this case"


def test_given_declared_upload_when_checking_limits_then_type_and_size_enforced():
    assert ev.size_limit_error(SPEC, "image/jpeg", 1024) == (None, None)
    assert ev.size_limit_error(SPEC, "application/pdf", 10)[0] == "contentType"
    assert ev.size_limit_error(SPEC, "image/jpeg", SPEC["maxBytes"]["image/jpeg"] + 1)[0] == "size"
