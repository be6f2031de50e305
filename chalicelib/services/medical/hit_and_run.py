"""Hit-and-run: the officer records that a vehicle's driver fled the scene.

The case's parties are known at intake (every party is identified, and a party who left the scene
before the report takes the case off the remote path, Order 146 Art.13), so a flight recorded
here is one the police learn of afterwards: the driver of a known vehicle who left or cannot be
found. The vehicle's 交强险 is then not asked and the rescue fund advances for its victims with
the reason HIT_AND_RUN (ADR 0019). Bills already posted are handed to the payers again, who ask
only for the difference (an insurer's request falls to 0, a fund application opens).
"""

from __future__ import annotations

from chalicelib.contracts.medical import PartyFled
from chalicelib.domain.principals import Principal
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.services.medical.ledger import windows
from chalicelib.services.medical.payers import hand_off_to_payers, insurer_committed
from chalicelib.store import cases as store
from chalicelib.store.models import PartyItem


def record_fled(principal: Principal, case_id: str, party_id: str) -> PartyFled:
    """Mark the party's vehicle as hit-and-run, once; the payers recompute what billed people call for."""

    def decide(record: store.CaseRecord) -> list[store.Change]:
        party = record.party(party_id)
        if party is None:
            raise NotFound("no such party on this case", field="partyId")
        if party.kind != "MOTOR" or party.vehicle is None:
            raise ValidationFailed("is not a motor vehicle's driver: only a vehicle can leave in a hit-and-run", field="partyId")
        vehicle = store.plain(party.vehicle)
        if vehicle.get("fled"):
            return []  # recorded before: said once
        if insurer_committed(case_id, party_id):
            raise Conflict("this vehicle's insurer already guaranteed or paid the emergency costs: settle the flight "
                           "through the claim", field="partyId")
        party.vehicle = {**vehicle, "fled": True}  # type: ignore[assignment]
        return [store.Change(action="PARTY_FLED", detail={"partyId": party_id},
                             replaces=[(party, PartyItem.party_id == party_id)])]

    record = store.mutate(principal, case_id, decide).record
    hand_off_to_payers(case_id, record.medical, windows())
    return PartyFled(case_id=case_id, party_id=party_id, fled=True)
