"""Who is calling: staff and partners by role (and organisation), a party by case and party."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PARTY = "party"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    INSURER = "insurer"
    HOSPITAL = "hospital"
    TOW = "tow"
    WECHAT_USER = "wechat"  # a WeChat user signed in by OAuth (subject = openid); party of nothing yet
    SYSTEM = "system"  # a workflow step acting on its own order; no token ever carries it
    REPAIRER = "repairer"  # a repair shop's staff (org = shop code): a member of the rooms of cases towed to it
    MEDIATOR = "mediator"  # a mediator (subject = staff id): a member of the rooms of the mediations it is scheduled for
    FUND = "fund"  # a reviewer of the road rescue fund (道路交通事故社会救助基金), for a jurisdiction


POLICE = frozenset({Role.DISPATCHER, Role.OFFICER, Role.SUPERVISOR})
PARTNERS = frozenset({Role.INSURER, Role.HOSPITAL, Role.TOW})
ANY_AUTHENTICATED = frozenset(Role) - {Role.SYSTEM}


@dataclass(frozen=True, kw_only=True)
class Principal:
    subject: str
    role: Role
    jurisdiction: str | None = None  # police staff
    org: str | None = None  # partner staff: insurer code, hospital code or truck id
    case_id: str | None = None  # party
    token_id: str | None = None  # party: lets a link be revoked

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))  # accept the plain string too

    @property
    def is_police(self) -> bool:
        return self.role in POLICE

    @property
    def audit_name(self) -> str:
        """How the audit log names the actor: role and opaque id, never a person's name."""
        return f"{self.role.value}:{self.subject}"
