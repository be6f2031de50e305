"""A party's case link: revoked and re-sent when a phone is lost or a link was forwarded."""

from __future__ import annotations

from chalicelib.contracts.portal import LinkReissued
from chalicelib.domain import ids
from chalicelib.domain.principals import Principal
from chalicelib.errors import NotFound
from chalicelib.services import notices
from chalicelib.store import cases as store
from chalicelib.store.models import PartyItem


def reissue(principal: Principal, case_id: str, party_id: str) -> LinkReissued:
    def decide(record: store.CaseRecord) -> store.Change:
        party = record.party(party_id)
        if party is None:
            raise NotFound("no such party on this case", field="partyId")
        previous = party.token_id
        party.token_id = ids.new_token_id()  # every link and token issued before stops working
        at = store.iso(store.utcnow())
        return store.Change(
            action="LINK_REISSUED",
            detail={"partyId": party_id},
            replaces=[(party, PartyItem.token_id == previous)],
            puts=[notices.to_party(case_id, party_id, "case.link", at, template="case.link.reissued", with_link=True)],
        )

    store.mutate(principal, case_id, decide)
    return LinkReissued(case_id=case_id, party_id=party_id, link_sent=True)
