"""Write the reference data file into the table; safe to run at every start."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.store.models import ReferenceItem, StaffItem, TowTruckItem
from chalicelib.store.reference import SEED_MARKER, ref_key

DEFAULT_SEED = "seed_yancheng"


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
        for kind, key in (("INSURER", "insurers"), ("HOSPITAL", "hospitals"), ("SERVICE_POINT", "servicePoints")):
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
    known = {truck.truck_id for truck in TowTruckItem.batch_get([(f"TRUCK#{t['truckId']}", "#TRUCK") for t in data["towTrucks"]])}
    with TowTruckItem.batch_write() as batch:
        for truck in data["towTrucks"]:
            if truck["truckId"] in known:
                continue
            batch.save(
                TowTruckItem(
                    pk=f"TRUCK#{truck['truckId']}",
                    sk="#TRUCK",
                    truck_id=truck["truckId"],
                    plate=truck["plate"],
                    company=truck["company"],
                    status="STANDBY",
                    lat=truck["lat"],
                    lng=truck["lng"],
                )
            )
    ReferenceItem(pk=SEED_MARKER[0], sk=SEED_MARKER[1], code="SEED", name=name, attributes={"version": data["version"]}).save()
    return True
