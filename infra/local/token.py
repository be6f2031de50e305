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
from chalicelib.errors import ValidationFailed
from chalicelib.services.staff_accounts import account_for
from infra.local.stack import DEFAULT_STATE_DIR, local_secrets


def principal_for(role: Role, org: str | None, seed: dict) -> Principal:
    try:
        return account_for(role.value, seed, org=org).principal
    except ValidationFailed as refused:
        raise SystemExit(f"ROLE={role.value}: {(refused.field or '').upper()}= {refused.message}") from None


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
