"""The seeded staff and partner accounts: who the local sign-in stand-in and `make token` may be,
and the name a signed-in principal is shown under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import ValidationFailed

# Partner roles: the seed list of their organisations, the code field, and the field naming them.
_ORG_LISTS = {
    Role.INSURER: ("insurers", "code", "name"),
    Role.HOSPITAL: ("hospitals", "code", "name"),
    Role.TOW: ("towTrucks", "truckId", "company"),
    Role.REPAIRER: ("repairShops", "code", "name"),
}
_NOT_SIGNED_IN = frozenset({Role.PARTY, Role.SYSTEM, Role.WECHAT_USER})


@dataclass(frozen=True)
class Account:
    principal: Principal
    name: str


def _partner(role: Role, entry: dict[str, Any]) -> Account:
    _, code_field, name_field = _ORG_LISTS[role]
    code = entry[code_field]
    name = f"{entry[name_field]} {code}" if role is Role.TOW else entry[name_field]
    return Account(Principal(subject=f"{role.value}-{code}", role=role, org=code), name)


def _staff(entry: dict[str, Any]) -> Account:
    principal = Principal(subject=entry["staffId"], role=Role(entry["role"]), jurisdiction=entry.get("jurisdiction"))
    return Account(principal, entry["name"])


def accounts(seed: dict[str, Any]) -> list[Account]:
    """Every seeded account: staff first (in seed order), then each partner organisation."""
    found = [_staff(entry) for entry in seed["staff"]]
    for role, (key, _, _) in _ORG_LISTS.items():
        found.extend(_partner(role, entry) for entry in seed[key])
    return found


def account_for(role_name: str, seed: dict[str, Any], subject: str | None = None, org: str | None = None) -> Account:
    """The seeded account of that role: the staff member `subject` (else the first of the role), or
    the partner organisation `org`."""
    try:
        role = Role(role_name)
    except ValueError:
        raise ValidationFailed(f"is not a role: {role_name}", field="role") from None
    if role is Role.PARTY:
        raise ValidationFailed("party tokens come with the case: POST /cases returns one per party", field="role")
    if role in _NOT_SIGNED_IN:
        raise ValidationFailed(f"no one signs in as {role.value}", field="role")
    of_role = [a for a in accounts(seed) if a.principal.role is role]
    if role in _ORG_LISTS:
        found = next((a for a in of_role if a.principal.org == org), None)
        if found is None:
            raise ValidationFailed(f"must be one of: {', '.join(str(a.principal.org) for a in of_role)}", field="org")
        return found
    found = next((a for a in of_role if subject in (None, a.principal.subject)), None)
    if found is None:
        known = ", ".join(a.principal.subject for a in of_role) or "none"
        raise ValidationFailed(f"is no seeded {role.value} (seeded: {known})", field="subject")
    return found


def name_of(principal: Principal, seed: dict[str, Any]) -> str:
    """The seeded account's name; an account created only in the identity provider is shown by its id."""
    same = (a for a in accounts(seed) if (a.principal.role, a.principal.subject, a.principal.org)
            == (principal.role, principal.subject, principal.org))
    return next((a.name for a in same), principal.org or principal.subject)
