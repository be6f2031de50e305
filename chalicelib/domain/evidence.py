"""The required-shot checklist and the rules for an evidence upload. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PARTY_LABELS = "甲乙丙丁戊己庚辛壬癸"

MISSING, UPLOADING, VERIFIED = "MISSING", "UPLOADING", "VERIFIED"
PENDING, REJECTED = "PENDING", "REJECTED"


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    party_id: str | None
    label: str
    status: str
    evidence_id: str | None = None


@dataclass(frozen=True)
class VehicleRef:
    party_id: str
    position: int


@dataclass(frozen=True)
class EvidenceRef:
    evidence_id: str
    kind: str
    party_id: str | None
    status: str
    requested_at: str


def party_label(position: int) -> str:
    """甲方, 乙方, ... by the order the parties were reported in (position starts at 1)."""
    return f"{PARTY_LABELS[position - 1]}方" if position <= len(PARTY_LABELS) else f"第{position}方"


def required_slots(spec: dict[str, Any], vehicles: list[VehicleRef]) -> list[tuple[str, str | None, str]]:
    """(kind, party id or None, label) for every required shot of a case."""
    slots: list[tuple[str, str | None, str]] = []
    for shot in spec["shots"]:
        if not shot["required"] or len(vehicles) < shot.get("minVehicles", 0):
            continue
        if shot["per"] == "VEHICLE":
            slots.extend((shot["kind"], v.party_id, f"{party_label(v.position)}{shot['label']}") for v in vehicles)
        else:
            slots.append((shot["kind"], None, shot["label"]))
    return slots


def checklist(spec: dict[str, Any], vehicles: list[VehicleRef], evidence: Iterable[EvidenceRef]) -> list[ChecklistItem]:
    """Each required shot with its state; the latest verified (else latest pending) upload wins."""
    by_slot: dict[tuple[str, str | None], EvidenceRef] = {}
    for item in sorted(evidence, key=lambda e: e.requested_at):
        if item.status == REJECTED:
            continue
        slot = (item.kind, item.party_id)
        current = by_slot.get(slot)
        if current is None or current.status != VERIFIED or item.status == VERIFIED:
            by_slot[slot] = item
    items = []
    for kind, party_id, label in required_slots(spec, vehicles):
        found = by_slot.get((kind, party_id))
        status = MISSING if found is None else (VERIFIED if found.status == VERIFIED else UPLOADING)
        items.append(ChecklistItem(kind, party_id, label, status, found.evidence_id if found else None))
    return items


def is_complete(items: list[ChecklistItem]) -> bool:
    return all(item.status == VERIFIED for item in items)


def resolve_slot(
    spec: dict[str, Any], vehicles: list[VehicleRef], kind: str, party_id: str | None
) -> tuple[str | None, str | None]:
    """(party id to file the shot under, error) for an upload request of `kind`."""
    shots = {shot["kind"]: shot for shot in spec["shots"]}
    shot = shots.get(kind)
    if shot is None:
        return None, f"unknown kind; expected one of {', '.join(shots)}"
    if shot["per"] != "VEHICLE":
        return None, None
    vehicle_ids = [v.party_id for v in vehicles]
    if party_id is None:
        if len(vehicle_ids) == 1:
            return vehicle_ids[0], None
        return None, "partyId is required: this shot is taken of each vehicle"
    if party_id not in vehicle_ids:
        return None, "partyId is not a party with a vehicle in this case"
    return party_id, None


def size_limit_error(spec: dict[str, Any], content_type: str, size: int) -> tuple[str | None, str | None]:
    """(field, reason) when the declared upload is not allowed, else (None, None)."""
    limits: dict[str, int] = spec["maxBytes"]
    if content_type not in limits:
        return "contentType", f"not accepted; expected one of {', '.join(limits)}"
    if size > limits[content_type]:
        return "size", f"exceeds the {limits[content_type]} byte limit for {content_type}"
    return None, None
