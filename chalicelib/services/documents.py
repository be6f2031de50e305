"""Issuing documents (rendered, stored, recorded, then locked), listing them, verifying them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.contracts.determination import DocumentCheck, DocumentLink, DocumentList, DocumentView
from chalicelib.domain import audit_chain, ids
from chalicelib.domain.principals import Principal
from chalicelib.errors import NotFound
from chalicelib.integrations import document_store
from chalicelib.services import access
from chalicelib.store import audit, case_items
from chalicelib.store import cases as store
from chalicelib.store.models import DocumentItem, DocumentPointer

LETTER = "LIABILITY_LETTER"
AGREEMENT = "AGREEMENT"


@dataclass
class Draft:
    """A document rendered and stored but not yet recorded on its case."""

    case_id: str
    document_id: str
    kind: str
    number: str
    revision: int
    supersedes: str | None
    stored: document_store.StoredDocument
    recorded: bool = False


def draft(case_id: str, kind: str, number: str, revision: int, supersedes: str | None, render: Callable[[str], bytes]) -> Draft:
    document_id = ids.new_document_id()
    stored = document_store.put(document_store.document_key(case_id, document_id), render(document_id))
    return Draft(case_id, document_id, kind, number, revision, supersedes, stored)


def issued(document: Draft, at: str) -> store.Change:
    """The change that records the document on its case (and a pointer for /verify)."""
    document.recorded = True
    items = case_items.new_document(
        document.case_id,
        document.document_id,
        kind=document.kind,
        number=document.number,
        revision=document.revision,
        supersedes=document.supersedes,
        object_key=document.stored.key,
        object_version=document.stored.version,
        sha256=document.stored.sha256,
        size=document.stored.size,
        issued_at=at,
    )
    detail = {
        "documentId": document.document_id,
        "kind": document.kind,
        "number": document.number,
        "revision": document.revision,
        "sha256": document.stored.sha256,
        "supersedes": document.supersedes,
    }
    return store.Change(action="DOCUMENT_ISSUED", detail=detail, puts=items)


def commit(principal: Principal, document: Draft, decide: Callable[[store.CaseRecord], list[store.Change]],
           may: Callable[[Principal, store.CaseRecord], None] = store.authorise,
           read: store.CaseRecord | None = None) -> store.CaseRecord:
    """Record the document with the case change `decide` makes; lock it only once recorded.

    `may` checks the caller against each read, as for `store.mutate`; `read` is the case as the
    caller read it to draw the document (saves a read; a change since fails the write and re-reads).
    `decide` may find the document is no longer wanted (someone else got there first) and leave
    it out: then, as on any failure, the stored object is removed and nothing is left behind.
    """

    def attempt(record: store.CaseRecord) -> list[store.Change]:
        document.recorded = False
        return decide(record)

    try:
        written = store.mutate(principal, document.case_id, attempt, read, may=may)
    except Exception:
        document_store.discard(document.stored)
        raise
    if document.recorded:
        document_store.lock(document.stored)
    else:
        document_store.discard(document.stored)
    return written.record


def _view(record: store.CaseRecord, item: DocumentItem) -> DocumentView:
    current = record.current_document(item.kind)
    return DocumentView(
        document_id=item.document_id,
        kind=item.kind,
        number=item.number,
        revision=int(item.revision),
        issued_at=item.issued_at,
        sha256=item.sha256,
        current=current is not None and current.document_id == item.document_id,
    )


def _withheld(principal: Principal, record: store.CaseRecord) -> set[str]:
    """A direct-pay notice carries the injured person's QR code, a bearer credential that admits
    her at the hospital: only she (and police) may list or download it."""
    return {a.notice_document_id for a in record.medical
            if a.notice_document_id and not access.acts_for(principal, record, a.injured_party_id)}


def views(record: store.CaseRecord, principal: Principal) -> list[DocumentView]:
    withheld = _withheld(principal, record)
    return [_view(record, item) for item in record.documents if item.document_id not in withheld]


def listing(principal: Principal, case_id: str) -> DocumentList:
    record = store.load_for(principal, case_id)
    return DocumentList(items=views(record, principal))


def link(principal: Principal, case_id: str, document_id: str) -> DocumentLink:
    record = store.load_for(principal, case_id)
    item = record.document(document_id)
    if item is None or document_id in _withheld(principal, record):
        raise NotFound("no such document on this case", field="documentId")
    url, expires = document_store.download_url(item.object_key, item.object_version)
    return DocumentLink(document_id=document_id, url=url, expires_at=store.iso(expires), sha256=item.sha256)


@dataclass(frozen=True)
class Verification:
    """A document's check with what its verify page shows besides: the case and the revision."""

    check: DocumentCheck
    case_id: str
    revision: int | None


def verify(document_id: str) -> DocumentCheck:
    """Genuine when the stored file hashes to what the intact audit chain recorded at issue."""
    return verification(document_id).check


def verification(document_id: str) -> Verification:
    pointer = DocumentPointer.lookup(document_id)
    if pointer is None:
        raise NotFound("no document with this id was issued", field="documentId")
    record = store.load(pointer.case_id)
    item = record.document(document_id)
    if item is None:
        check = DocumentCheck(document_id=document_id, genuine=False, reason="the case holds no record of this document")
        return Verification(check, pointer.case_id, None)
    entries = audit.entries(record.case.case_id)
    chain = audit_chain.verify(entries, expected_head=record.case.audit_head)
    recorded = next(
        (e.detail.get("sha256") for e in entries if e.action == "DOCUMENT_ISSUED" and e.detail.get("documentId") == document_id),
        None,
    )
    stored = document_store.current_sha256(item.object_key)
    if not chain.valid:
        reason: str | None = "the case's audit log has been altered"
    elif recorded is None or recorded != item.sha256:
        reason = "the document record does not match the audit log"
    elif stored is None:
        reason = "the document is no longer stored"
    elif stored != recorded:
        reason = "the stored document differs from the one issued"
    else:
        reason = None
    check = DocumentCheck(
        document_id=document_id,
        genuine=reason is None,
        kind=item.kind,
        number=item.number,
        issued_at=item.issued_at,
        sha256=stored,
        recorded_sha256=recorded,
        reason=reason,
    )
    return Verification(check, record.case.case_id, int(item.revision))
