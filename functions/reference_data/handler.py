"""The deployment's reference data migration: a CloudFormation custom resource (CDK Provider
framework, `infra/cdk/reference_data.py`) that loads `chalicelib/config/<Seed>.json` into the table.

CloudFormation calls it on create and whenever the data's content hash (a resource property)
changes; the loader writes only the items that differ, so a re-run writes nothing. Deleting the
stack leaves the data alone (the table is retained)."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler, logger


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.store import seed

    name = event["ResourceProperties"]["Seed"]
    physical_id = event.get("PhysicalResourceId") or f"reference-data-{name}"
    if event["RequestType"] == "Delete":
        logger.info("reference data left in place", extra={"seed": name})
        return {"PhysicalResourceId": physical_id}
    loaded = seed.load(name)
    logger.info("reference data loaded", extra={"seed": name, "written": loaded.written, "unchanged": loaded.unchanged,
                                                 "content_hash": event["ResourceProperties"].get("ContentHash")})
    # Custom resource attributes are strings.
    return {"PhysicalResourceId": physical_id, "Data": {"Written": str(loaded.written), "Unchanged": str(loaded.unchanged)}}
