"""`make token ROLE=officer [ORG=...]`: a bearer token for the local stack, as the last line."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chalicelib import config
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.tokens import issue
from infra.local.stack import DEFAULT_STATE_DIR, local_secrets

_ORG_LISTS = {Role.INSURER: ("insurers", "code"), Role.HOSPITAL: ("hospitals", "code"), Role.TOW: ("towTrucks", "truckId"),
              Role.REPAIRER: ("repairShops", "code")}


def principal_for(role: Role, org: str | None, seed: dict) -> Principal:
    if role is Role.PARTY:
        raise SystemExit("party tokens come with the case: POST /cases returns one per party")
    if role in _ORG_LISTS:
        key, field = _ORG_LISTS[role]
        codes = [entry[field] for entry in seed[key]]
        if org not in codes:
            raise SystemExit(f"ROLE={role.value} needs ORG=<one of: {', '.join(codes)}>")
        return Principal(subject=f"{role.value}-{org}", role=role, org=org)
    staff = next((s for s in seed["staff"] if s["role"] == role.value), None)
    if staff is None:
        raise SystemExit(f"no seeded staff account has the role {role.value}")
    return Principal(subject=staff["staffId"], role=role, jurisdiction=staff.get("jurisdiction"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("role", choices=[r.value for r in Role if r not in {Role.PARTY, Role.SYSTEM}])
    parser.add_argument("org", nargs="?", default=None)
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args(argv)
    seed = config.load("seed_yancheng")
    principal = principal_for(Role(args.role), args.org or None, seed)
    secret = local_secrets(Path(os.environ.get("STATE_DIR", DEFAULT_STATE_DIR)))["tokenSecret"]
    token = issue(principal, secret, datetime.now(UTC), timedelta(hours=args.hours))
    print(f"# {principal.role.value} {principal.subject}: use as 'Authorization: Bearer <token>'", file=sys.stderr)
    print(token)


if __name__ == "__main__":
    main()
