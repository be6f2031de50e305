"""Who is calling: staff and partners by role (and organisation), a party by case and party."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    PARTY = "party"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    INSURER = "insurer"
    HOSPITAL = "hospital"
    TOW = "tow"


POLICE = frozenset({Role.DISPATCHER, Role.OFFICER, Role.SUPERVISOR})
PARTNERS = frozenset({Role.INSURER, Role.HOSPITAL, Role.TOW})
ANY_AUTHENTICATED = frozenset(Role)


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    jurisdiction: str | None = None  # police staff
    org: str | None = None  # partner staff: insurer code, hospital code or truck id
    case_id: str | None = None  # party
    token_id: str | None = None  # party: lets a link be revoked

    @property
    def is_police(self) -> bool:
        return self.role in POLICE

    @property
    def audit_name(self) -> str:
        """How the audit log names the actor: role and opaque id, never a person's name."""
        return f"{self.role.value}:{self.subject}"
