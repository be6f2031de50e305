"""Who a staff or partner token is, and the local sign-in stand-in's accounts."""

from __future__ import annotations

from pydantic import Field

from chalicelib.contracts.common import Contract, Reply


class StaffIdentity(Reply):
    role: str
    subject: str
    org: str | None = None
    jurisdiction: str | None = None
    name: str


class LocalStaffList(Reply):
    accounts: list[StaffIdentity]


class StaffTokenRequest(Contract):
    role: str = Field(max_length=20)
    subject: str | None = Field(default=None, max_length=40, description="a staff id; the role's first account when absent")
    org: str | None = Field(default=None, max_length=16, description="the partner organisation's code")


class StaffSession(StaffIdentity):
    token: str
