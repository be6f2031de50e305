"""The required-shot checklist and the rules for an evidence upload. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from chalicelib.domain import geo

PARTY_LABELS = "甲乙丙丁戊己庚辛壬癸"

MISSING, UPLOADING, VERIFIED = "MISSING", "UPLOADING", "VERIFIED"
# An upload is PENDING until a completion claims it (SEALING), then VERIFIED once its sealed copy is recorded.
PENDING, SEALING, REJECTED = "PENDING", "SEALING", "REJECTED"


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


class Flag(BaseModel):
    """Something about a shot the officer should weigh before relying on it (kept, not refused)."""

    model_config = ConfigDict(frozen=True)

    code: str
    text: str


@dataclass(frozen=True)
class Camera:
    """What the file itself says (JPEG EXIF): when and where the camera took it, if it says so."""

    taken_at: datetime | None = None
    position: geo.Point | None = None


def _duration(delta: timedelta) -> str:
    minutes = round(abs(delta).total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}分钟"
    return f"{hours}小时{rest}分钟" if rest else f"{hours}小时"


def _distance(metres: float) -> str:
    return f"{round(metres)}米" if metres < 1000 else f"{metres / 1000:.1f}公里"


def captured_too_early(rules: dict[str, Any], occurred: datetime, captured: datetime) -> bool:
    """Before the window opens the shot cannot show this accident (refused, not flagged)."""
    return captured < occurred - timedelta(minutes=rules["capturedFromMinutesBefore"])


def declared_flags(rules: dict[str, Any], occurred: datetime, scene: geo.Point, captured: datetime, at: geo.Point) -> list[Flag]:
    """Flags for what the phone declared: taken after the window, or away from the scene."""
    flags = []
    limit = timedelta(minutes=rules["capturedUntilMinutesAfter"])
    if captured - occurred > limit:
        flags.append(Flag(
            code="CAPTURED_LATE",
            text=f"声明拍摄时间晚于事故发生时间{_duration(captured - occurred)}（应在{_duration(limit)}内），可能已非事故原始现场",
        ))
    metres, allowed = geo.distance_m(scene, at), rules["maxMetresFromScene"]
    if metres > allowed:
        flags.append(Flag(
            code="FAR_FROM_SCENE",
            text=f"声明拍摄位置距事故地点{_distance(metres)}（应在{_distance(allowed)}内）",
        ))
    return flags


def camera_flags(rules: dict[str, Any], captured: datetime, at: geo.Point, camera: Camera | None) -> list[Flag]:
    """Flags where the file's own EXIF disagrees with what the phone declared."""
    if camera is None:
        return []
    flags = []
    tolerance = timedelta(minutes=rules["cameraClockToleranceMinutes"])
    if camera.taken_at is not None and abs(camera.taken_at - captured) > tolerance:
        flags.append(Flag(
            code="CAMERA_TIME_MISMATCH",
            text=f"照片EXIF拍摄时间与声明的拍摄时间相差{_duration(camera.taken_at - captured)}（允许{_duration(tolerance)}内）",
        ))
    if camera.position is not None:
        metres, allowed = geo.distance_m(camera.position, at), rules["maxMetresFromScene"]
        if metres > allowed:
            flags.append(Flag(
                code="CAMERA_POSITION_MISMATCH",
                text=f"照片EXIF定位与声明的拍摄位置相距{_distance(metres)}（允许{_distance(allowed)}内）",
            ))
    return flags
