"""How every route is declared: authenticate, authorise by role, parse with pydantic, call the
service, shape the reply; domain errors become HTTP replies here, in one place."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.domain import tokens
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import DomainError, Forbidden, Unauthenticated, UnsupportedMediaType, ValidationFailed
from chalicelib.observability import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

# Contracts are named as "module:Class" and imported on first use: pydantic model classes, and
# the services behind the routes, then cost nothing at cold start (see bench/, cold-start proxy).
ModelRef = str

JSON = "application/json; charset=utf-8"
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")


@cache
def resolve(ref: ModelRef) -> type[BaseModel]:
    module, _, name = ref.partition(":")
    model: type[BaseModel] = getattr(import_module(module), name)
    return model


@dataclass(frozen=True)
class NamesParty:
    """A route that names a party of the case, by a path parameter or a body field (its wire name;
    a rescue order's id names the order's party). `own_only`: the caller must be that party or
    police, which the service checks (`access.ensure_acts_for`); False where any party of the case
    may name another (the reporter photographs every vehicle; an agreement is proposed for all and
    binds only once each party signs). The role × route test fails for an undeclared route."""

    field: str
    own_only: bool = True


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    summary: str
    roles: frozenset[Role] | None
    body: ModelRef | None
    reply: ModelRef | None
    status: int
    query: ModelRef | None
    idempotent: bool
    names_party: NamesParty | None = None


OPERATIONS: list[Operation] = []


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(body=text, status_code=status, headers={"Content-Type": JSON, **(headers or {})})


def error_response(error: DomainError) -> Response:
    return json_response(error.to_body(), error.status, error.headers())


def authenticate(headers: Any) -> Principal:
    from chalicelib.integrations.secrets import token_secret

    header = headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required", field="Authorization")
    from chalicelib.integrations import cognito

    try:
        if cognito.is_pool_token(token.strip()):
            return cognito.read(token.strip())
        return tokens.read(token.strip(), token_secret())
    except tokens.InvalidToken as error:
        raise Unauthenticated(str(error), field="Authorization") from error


def _parse_body(model: type[BaseModel], request: Any) -> BaseModel:
    from pydantic import ValidationError

    from chalicelib.contracts.common import validation_failed

    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json" and (request.raw_body or b"").strip():
        raise UnsupportedMediaType("send the body as application/json", field="Content-Type")
    raw = request.raw_body or b""
    if not raw.strip():
        if all(not field.is_required() for field in model.model_fields.values()):
            raw = b"{}"  # every field optional: an empty body means the defaults
        else:
            raise ValidationFailed("a JSON object is required", field="body")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors(include_input=False)):
            raise ValidationFailed("is not valid JSON", field="body") from error
        raise validation_failed(error) from error


def _parse_query(model: type[BaseModel], params: Any) -> BaseModel:
    from pydantic import ValidationError

    from chalicelib.contracts.common import validation_failed

    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as error:
        raise validation_failed(error) from error


def _idempotency_key(headers: Any) -> str | None:
    key = headers.get("idempotency-key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed("must be 1-128 letters, digits or _ . : -", field="Idempotency-Key")
    return key


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def operation(
    blueprint: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    roles: frozenset[Role] | None,
    body: ModelRef | None = None,
    reply: ModelRef | None = None,
    status: int = 200,
    query: ModelRef | None = None,
    idempotent: bool = False,
    raw_request: bool = False,
    names_party: NamesParty | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route; `roles=None` makes it public. The view receives snake_case path
    parameters plus `principal`, `body`, `query`, `idempotency_key` and (for signed webhooks,
    verified on the exact bytes) `request` as declared."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handler(**path_params: str) -> Response:
            request = blueprint.current_request
            try:
                kwargs: dict[str, Any] = {_snake(k): v for k, v in path_params.items()}
                if roles is not None:
                    principal = authenticate(request.headers)
                    if principal.role not in roles:
                        raise Forbidden(f"the {principal.role.value} role may not do this", field="Authorization")
                    kwargs["principal"] = principal
                if body is not None:
                    kwargs["body"] = _parse_body(resolve(body), request)
                if query is not None:
                    kwargs["query"] = _parse_query(resolve(query), request.query_params)
                if idempotent:
                    kwargs["idempotency_key"] = _idempotency_key(request.headers)
                if raw_request:
                    kwargs["request"] = request
                result = view(**kwargs)
            except DomainError as error:
                logger.info("request refused", extra={"code": error.code, "field": error.field, "status": error.status})
                return error_response(error)
            if isinstance(result, Response):
                return result
            payload = result.model_dump(mode="json", by_alias=True) if hasattr(result, "model_dump") else result
            return json_response(payload, status)

        blueprint.route(path, methods=[method], content_types=["*/*"])(handler)
        OPERATIONS.append(Operation(path, method, summary, roles, body, reply, status, query, idempotent, names_party))
        return handler

    return decorate
