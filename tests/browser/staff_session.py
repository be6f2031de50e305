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


def sign_in(context: Any, stack: RunningStack, role: str, org: str | None = None) -> str:
    """Every page this context opens starts signed in as `role` (a partner as `org`); the token is returned."""
    seed = config.load("seed_yancheng")
    principal = principal_for(Role(role), org, seed)
    staff = next((s for s in seed["staff"] if s["staffId"] == principal.subject), {})
    token = stack.token(role, org)
    session = {"token": token, "role": role, "subject": principal.subject, "org": principal.org,
               "jurisdiction": principal.jurisdiction, "name": staff.get("name", org or "")}
    context.add_init_script(f"sessionStorage.setItem({json.dumps(SESSION_KEY)}, {json.dumps(json.dumps(session))});")
    return token
