"""Write the reference data file into the table; safe to run at every start."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.domain import dispatch
from chalicelib.store import fleet
from chalicelib.store.models import ReferenceItem, StaffItem, TowTruckItem
from chalicelib.store.reference import SEED_MARKER, ref_key

DEFAULT_SEED = "seed_yancheng"
KINDS = (("INSURER", "insurers"), ("HOSPITAL", "hospitals"), ("SERVICE_POINT", "servicePoints"), ("REPAIR_SHOP", "repairShops"))


def _reference(kind: str, entry: dict[str, Any]) -> ReferenceItem:
    attributes = {k: v for k, v in entry.items() if k not in {"code", "name"}}
    return ReferenceItem(pk=ref_key(kind), sk=entry["code"], code=entry["code"], name=entry["name"], attributes=attributes)


def seed(name: str = DEFAULT_SEED) -> bool:
    """Seed once per seed version; returns False when this version is already in place.

    Reference items and staff are (over)written; a tow truck already known keeps its live
    status and position.
    """
    data = config.load(name)
    try:
        marker = ReferenceItem.get(*SEED_MARKER, consistent_read=True)
        if marker.attributes.as_dict().get("version") == data["version"]:
            return False
    except ReferenceItem.DoesNotExist:
        pass
    with ReferenceItem.batch_write() as batch:
        for kind, key in KINDS:
            for entry in data[key]:
                batch.save(_reference(kind, entry))
    with StaffItem.batch_write() as batch:
        for person in data["staff"]:
            batch.save(
                StaffItem(
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
            )
    _seed_trucks(data["towTrucks"])
    ReferenceItem(pk=SEED_MARKER[0], sk=SEED_MARKER[1], code="SEED", name=name, attributes={"version": data["version"]}).save()
    return True


def _seed_trucks(trucks: list[dict[str, Any]]) -> None:
    """New trucks start on standby at their depot; a known truck keeps its live status and
    position, and only gains what a newer seed adds (its fleet, its index keys)."""
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
