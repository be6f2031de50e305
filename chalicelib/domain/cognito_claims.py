"""Staff and partner sign-in through Amazon Cognito (ADR 0025): the verified claims of a Cognito
ID or access token mapped to the same `Principal` as the local tokens.

Pure: the signature, issuer and expiry are checked before (`chalicelib.integrations.cognito`);
here the token's use, the client it was issued to, the role group and the scope of a partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.principals import PARTNERS, Principal, Role
from chalicelib.domain.tokens import InvalidToken

# The user pool's groups, one per role (infra/cdk/identity.py creates them); a user is in exactly
# one. Other groups a user may be in (an operator's own) do not count.
ROLE_GROUPS = ("dispatcher", "officer", "supervisor", "insurer", "hospital", "tow", "fund")
JURISDICTION_ATTRIBUTE = "jurisdiction"
ORG_ATTRIBUTE = "org"
# A machine partner's scope on the resource server: `<identifier>/insurer.<insurer code>`.
INSURER_SCOPE_PREFIX = "insurer."
ID_TOKEN = "id"  # noqa: S105 - the `token_use` of an ID token, not a secret
ACCESS_TOKEN = "access"  # noqa: S105 - the `token_use` of an access token


def insurer_scope(resource_server: str, insurer_code: str) -> str:
    return f"{resource_server}/{INSURER_SCOPE_PREFIX}{insurer_code}"


@dataclass(frozen=True)
class PoolClients:
    """The clients whose tokens the API takes: the staff sign-in client (ID and access tokens) and
    one client-credentials client per insurer (access tokens), by client id."""

    sign_in: str
    insurers: Mapping[str, str] = field(default_factory=dict)  # client id -> insurer code
    resource_server: str = "yunchetong"


def principal_from_claims(claims: Mapping[str, Any], clients: PoolClients) -> Principal:
    token_use = claims.get("token_use")
    if token_use == ID_TOKEN:
        if claims.get("aud") != clients.sign_in:
            raise InvalidToken("the token was issued to another client")
        return _user(claims)
    if token_use != ACCESS_TOKEN:
        raise InvalidToken("the token is neither an ID nor an access token")
    client_id = str(claims.get("client_id"))
    if client_id in clients.insurers:
        return _machine_partner(claims, clients.insurers[client_id], clients.resource_server)
    if client_id != clients.sign_in:
        raise InvalidToken("the token was issued to another client")
    return _user(claims)


def _user(claims: Mapping[str, Any]) -> Principal:
    groups = [group for group in claims.get("cognito:groups") or [] if group in ROLE_GROUPS]
    if len(groups) != 1:
        raise InvalidToken(f"the user must be in exactly one role group, not {len(groups)}")
    try:
        role = Role(groups[0])
    except ValueError as error:
        raise InvalidToken(f"the {groups[0]} role is not known to this API") from error
    # Partner staff act for their organisation, everyone else (police, the fund) for a jurisdiction.
    needed = ORG_ATTRIBUTE if role in PARTNERS else JURISDICTION_ATTRIBUTE
    scope = {name: claims.get(f"custom:{name}") or None for name in (JURISDICTION_ATTRIBUTE, ORG_ATTRIBUTE)}
    if scope[needed] is None:
        raise InvalidToken(f"the token carries no {needed} (send the ID token, which carries the user's attributes)")
    return Principal(subject=str(claims["sub"]), role=role, jurisdiction=scope[JURISDICTION_ATTRIBUTE], org=scope[ORG_ATTRIBUTE])


def _machine_partner(claims: Mapping[str, Any], insurer_code: str, resource_server: str) -> Principal:
    """A client-credentials token: the insurer its client was created for, which its one
    insurer scope must name too (a client given another insurer's scope is refused)."""
    prefix = f"{resource_server}/{INSURER_SCOPE_PREFIX}"
    scopes = [scope for scope in str(claims.get("scope") or "").split() if scope.startswith(prefix)]
    if scopes != [insurer_scope(resource_server, insurer_code)]:
        raise InvalidToken("the token's scope is not its insurer's")
    return Principal(subject=str(claims["sub"]), role=Role.INSURER, org=insurer_code)
