"""Write the reference data file into the table; safe to run at every start, and, as the
deployment's migration (`functions/reference_data`), writing only what changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from chalicelib import config
from chalicelib.domain import dispatch
from chalicelib.store import fleet
from chalicelib.store.models import ReferenceItem, StaffItem, TowTruckItem
from chalicelib.store.reference import SEED_MARKER, ref_key

DEFAULT_SEED = "seed_yancheng"
_Item = TypeVar("_Item", ReferenceItem, StaffItem)
KINDS = (("INSURER", "insurers"), ("HOSPITAL", "hospitals"), ("SERVICE_POINT", "servicePoints"), ("REPAIR_SHOP", "repairShops"))


def _reference(kind: str, entry: dict[str, Any]) -> ReferenceItem:
    attributes = {k: v for k, v in entry.items() if k not in {"code", "name"}}
    return ReferenceItem(pk=ref_key(kind), sk=entry["code"], code=entry["code"], name=entry["name"], attributes=attributes)


@dataclass(frozen=True)
class Loaded:
    written: int
    unchanged: int


def seed(name: str = DEFAULT_SEED) -> bool:
    """Seed once per seed version; returns False when this version is already in place (one GetItem)."""
    try:
        marker = ReferenceItem.get(*SEED_MARKER, consistent_read=True)
        if marker.attributes.as_dict().get("version") == config.load(name)["version"]:
            return False
    except ReferenceItem.DoesNotExist:
        pass
    load(name)
    return True


def load(name: str = DEFAULT_SEED) -> Loaded:
    """Bring the table to the reference data file, writing only the items that differ from it.

    Reference items and staff are written when any attribute differs; a tow truck already known
    keeps its live status and position. The seed marker, which `/health` reads, is written last.
    """
    data = config.load(name)
    wanted_references = [_reference(kind, entry) for kind, key in KINDS for entry in data[key]]
    wanted_staff = [_staff(person) for person in data["staff"]]
    references = _changed(ReferenceItem, wanted_references)
    staff = _changed(StaffItem, wanted_staff)
    with ReferenceItem.batch_write() as batch:
        for item in references:
            batch.save(item)
    with StaffItem.batch_write() as batch:
        for person in staff:
            batch.save(person)
    trucks = _seed_trucks(data["towTrucks"])
    marker = _changed(ReferenceItem, [_marker(name, data["version"])])
    for item in marker:
        item.save()
    written = len(references) + len(staff) + trucks + len(marker)
    return Loaded(written=written, unchanged=len(wanted_references) + len(wanted_staff) + len(data["towTrucks"]) + 1 - written)


def _changed(model: type[_Item], wanted: list[_Item]) -> list[_Item]:
    """The wanted items whose stored version is missing or differs in any attribute."""
    stored = {(item.pk, item.sk): item.serialize() for item in model.batch_get([(item.pk, item.sk) for item in wanted])}
    return [item for item in wanted if stored.get((item.pk, item.sk)) != item.serialize()]


def _marker(name: str, version: str) -> ReferenceItem:
    return ReferenceItem(pk=SEED_MARKER[0], sk=SEED_MARKER[1], code="SEED", name=name, attributes={"version": version})


def _staff(person: dict[str, Any]) -> StaffItem:
    return StaffItem(
        pk=f"STAFF#{person['staffId']}",
        sk="#STAFF",
        staff_id=person["staffId"],
        name=person["name"],
        role=person["role"],
        badge=person["badge"],
        jurisdiction=person.get("jurisdiction"),
        org=person.get("org"),
        gsi1pk=f"STAFF#{person['role']}",
        gsi1sk=person["staffId"],
    )


def _seed_trucks(trucks: list[dict[str, Any]]) -> int:
    """New trucks start on standby at their depot; a known truck keeps its live status and
    position, and only gains what a newer seed adds (its fleet, its index keys). Returns how many
    trucks were written."""
    written = 0
    known = {truck.truck_id: truck for truck in TowTruckItem.batch_get([fleet.truck_key(t["truckId"]) for t in trucks])}
    for entry in trucks:
        truck = known.get(entry["truckId"])
        if truck is None:
            truck = TowTruckItem(
                *fleet.truck_key(entry["truckId"]),
                truck_id=entry["truckId"],
                plate=entry["plate"],
                company=entry["company"],
                status=dispatch.STANDBY,
                lat=entry["lat"],
                lng=entry["lng"],
            )
        elif truck.fleet == entry.get("fleet") and truck.geohash:
            continue
        truck.fleet = entry.get("fleet")
        fleet.index(truck)
        truck.save()
        written += 1
    return written
