"""Bearer tokens (JWT, HS256): issued and checked with a secret the caller provides."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.principals import Principal, Role

ISSUER = "yunchetong"
_ALGORITHM = "HS256"


class InvalidToken(ValueError):
    pass


def issue(principal: Principal, secret: str, issued_at: datetime, lifetime: timedelta) -> str:
    """Deterministic for the same inputs, so a replayed request can hand back the same token."""
    import jwt  # lazily: PyJWT pulls in cryptography, which a cold start need not pay for

    claims = {
        "iss": ISSUER,
        "sub": principal.subject,
        "role": principal.role.value,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + lifetime).timestamp()),
    }
    for claim, value in (
        ("jur", principal.jurisdiction),
        ("org", principal.org),
        ("case", principal.case_id),
        ("jti", principal.token_id),
    ):
        if value is not None:
            claims[claim] = value
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read(token: str, secret: str) -> Principal:
    import jwt

    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        role = Role(str(claims.get("role")))
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("the token has expired") from error
    except (jwt.InvalidTokenError, ValueError) as error:
        raise InvalidToken("the token is not valid") from error
    if role is Role.SYSTEM or (role is Role.PARTY and not (claims.get("case") and claims.get("jti"))):
        raise InvalidToken("the token is not valid")
    return Principal(
        subject=claims["sub"],
        role=role,
        jurisdiction=claims.get("jur"),
        org=claims.get("org"),
        case_id=claims.get("case"),
        token_id=claims.get("jti"),
    )
