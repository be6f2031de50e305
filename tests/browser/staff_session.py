"""A staff or partner session put straight into the page's session storage (the shape the sign-in
page writes, s5 interfaces): the browser tests need no sign-in page to reach a staff page."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config
from chalicelib.domain.principals import Role
from infra.local.token import principal_for
from tests.local_stack import RunningStack

SESSION_KEY = "ycht.staff"
DESK = {"width": 1440, "height": 900}


def _name(seed: dict[str, Any], subject: str, org: str | None) -> str:
    """What the sign-in page would show: the staff member's name, or the partner's (a truck's plate)."""
    staff = next((s for s in seed["staff"] if s["staffId"] == subject), None)
    if staff is not None:
        return str(staff["name"])
    partners = [*seed["hospitals"], *seed["insurers"], *seed["repairShops"]]
    named = next((p["name"] for p in partners if p.get("code") == org), None)
    return str(named or next((t["plate"] for t in seed["towTrucks"] if t["truckId"] == org), org or ""))


def sign_in(context: Any, stack: RunningStack, role: str, org: str | None = None) -> str:
    """Every page this context opens starts signed in as `role` (a partner as `org`); the token is returned."""
    seed = config.load("seed_yancheng")
    principal = principal_for(Role(role), org, seed)
    token = stack.token(role, org)
    session = {"token": token, "role": role, "subject": principal.subject, "org": principal.org,
               "jurisdiction": principal.jurisdiction, "name": _name(seed, principal.subject, org)}
    context.add_init_script(f"sessionStorage.setItem({json.dumps(SESSION_KEY)}, {json.dumps(json.dumps(session))});")
    return token
