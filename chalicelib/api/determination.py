"""Remote liability determination, signatures, self-settlement, documents and their verification."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.api.routing import NamesParty, operation
from chalicelib.domain.principals import ANY_AUTHENTICATED, POLICE, Principal, Role
from chalicelib.errors import NotFound

if TYPE_CHECKING:
    from chalicelib.contracts.determination import (
        AgreementProposed,
        Determine,
        Determined,
        DocumentCheck,
        DocumentLink,
        DocumentList,
        ProposeAgreement,
        ScenarioCatalogue,
        Sign,
        Signed,
    )

blueprint = Blueprint(__name__)
C = "chalicelib.contracts.determination"
PARTY = frozenset({Role.PARTY})
CASE_READERS = PARTY | POLICE


@operation(blueprint, "/scenarios", "GET", summary="The liability scenario catalogue in force",
           roles=ANY_AUTHENTICATED, reply=f"{C}:ScenarioCatalogue")
def get_scenarios(principal: Principal) -> ScenarioCatalogue:
    from chalicelib.services import liability_terms

    return liability_terms.catalogue_view()


@operation(blueprint, "/cases/{caseId}/determination", "POST",
           summary="The officer determines liability; the simple-procedure letter is issued",
           roles=frozenset({Role.OFFICER}), body=f"{C}:Determine", reply=f"{C}:Determined", status=201,
           names_party=NamesParty("liabilities", own_only=False))
def post_determination(principal: Principal, case_id: str, body: Determine) -> Determined:
    from chalicelib.services import determination

    return determination.determine(principal, case_id, body)


@operation(blueprint, "/cases/{caseId}/parties/{partyId}/sign", "POST",
           summary="A party signs, or refuses with a reason, the letter or the proposed agreement",
           roles=PARTY, body=f"{C}:Sign", reply=f"{C}:Signed", names_party=NamesParty("partyId"))
def post_signature(principal: Principal, case_id: str, party_id: str, body: Sign) -> Signed:
    from chalicelib.services import signing

    return signing.sign(principal, case_id, party_id, body)


@operation(blueprint, "/cases/{caseId}/agreement", "POST",
           summary="A party proposes a self-settlement (Art.19-21); the others sign it",
           roles=PARTY, body=f"{C}:ProposeAgreement", reply=f"{C}:AgreementProposed", status=201,
           names_party=NamesParty("liabilities", own_only=False))
def post_agreement(principal: Principal, case_id: str, body: ProposeAgreement) -> AgreementProposed:
    from chalicelib.services import signing

    return signing.propose(principal, case_id, body)


@operation(blueprint, "/cases/{caseId}/determination-request", "POST",
           summary="A party asks the police to determine liability instead of settling",
           roles=PARTY, reply=f"{C}:AgreementProposed")
def post_determination_request(principal: Principal, case_id: str) -> AgreementProposed:
    from chalicelib.services import signing

    return signing.request_determination(principal, case_id)


@operation(blueprint, "/cases/{caseId}/documents", "GET", summary="Documents issued on the case",
           roles=CASE_READERS, reply=f"{C}:DocumentList")
def get_documents(principal: Principal, case_id: str) -> DocumentList:
    from chalicelib.services import documents

    return documents.listing(principal, case_id)


@operation(blueprint, "/cases/{caseId}/documents/{documentId}", "GET",
           summary="A short-lived link to download a document", roles=CASE_READERS, reply=f"{C}:DocumentLink")
def get_document(principal: Principal, case_id: str, document_id: str) -> DocumentLink:
    from chalicelib.services import documents

    return documents.link(principal, case_id, document_id)


@operation(blueprint, "/verify/{documentId}", "GET",
           summary="Public: is this document genuine? (the QR code on every document links here; "
                   "a browser, asking for text/html, gets a page in Chinese)",
           roles=None, reply=f"{C}:DocumentCheck", raw_request=True)
def get_verification(document_id: str, request: Any) -> DocumentCheck | Response:
    from chalicelib.api import verify_page
    from chalicelib.services import documents

    if not verify_page.wants_html(request.headers.get("accept")):
        return documents.verify(document_id)
    try:
        return verify_page.checked(documents.verification(document_id))
    except NotFound:
        return verify_page.unknown(document_id)
