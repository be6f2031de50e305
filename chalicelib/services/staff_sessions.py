"""Staff sessions for the portal's sign-in page: who a token is, and (local stack only) a token
for a seeded account, as `make token` prints one."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import config
from chalicelib.contracts.staff import LocalStaffList, StaffIdentity, StaffSession, StaffTokenRequest
from chalicelib.domain import tokens
from chalicelib.domain.principals import Principal
from chalicelib.errors import NotFound
from chalicelib.integrations.secrets import token_secret
from chalicelib.services.staff_accounts import Account, account_for, accounts, name_of
from chalicelib.settings import get_settings
from chalicelib.store import cases as store

# A working day's shift, as `make token` gives.
LOCAL_SESSION = timedelta(hours=12)


def _identity(principal: Principal, name: str) -> StaffIdentity:
    return StaffIdentity(role=principal.role.value, subject=principal.subject, org=principal.org,
                         jurisdiction=principal.jurisdiction, name=name)


def identity(principal: Principal) -> StaffIdentity:
    return _identity(principal, name_of(principal, config.load("seed_yancheng")))


def _local_only() -> None:
    if get_settings().stage != "local":
        raise NotFound("there is no sign-in stand-in in this stage: sign in with the identity provider", field="path")


def local_accounts() -> LocalStaffList:
    _local_only()
    return LocalStaffList(accounts=[_identity(a.principal, a.name) for a in accounts(config.load("seed_yancheng"))])


def local_session(request: StaffTokenRequest) -> StaffSession:
    _local_only()
    account: Account = account_for(request.role, config.load("seed_yancheng"), subject=request.subject, org=request.org)
    token = tokens.issue(account.principal, token_secret(), store.utcnow(), LOCAL_SESSION)
    return StaffSession(token=token, **_identity(account.principal, account.name).model_dump())
