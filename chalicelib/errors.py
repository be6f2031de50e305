"""Domain errors, named once.

The class name is the error code in HTTP replies and the error name a state machine's
Retry/Catch matches; the HTTP status lives here too, so the mapping exists in one place.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "DomainError"

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__

    def headers(self) -> dict[str, str]:
        """HTTP headers the reply carries (Retry-After for a rate limit)."""
        return {}

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        body.update(self.details)
        return {"error": body}


class ValidationFailed(DomainError):
    status = 400


class Unauthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The resource is not in a state that allows the request (e.g. wrong case status)."""

    status = 409


class ConcurrentUpdate(DomainError):
    """Someone else changed the item first; the caller may re-read and retry."""

    status = 409


class IdempotencyKeyReused(DomainError):
    status = 422


class EvidenceMismatch(DomainError):
    status = 422


class UnsupportedMediaType(DomainError):
    status = 415


class PayloadTooLarge(DomainError):
    """The body is over the configured size: refused before it is parsed."""

    status = 413


class TooManyRequests(DomainError):
    """Over a rate limit; `retry_after` (seconds) becomes the Retry-After header."""

    status = 429

    def __init__(self, message: str, field: str | None = None, *, retry_after: int, **details: Any) -> None:
        super().__init__(message, field, **details)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class WebhookRejected(DomainError):
    """An inbound webhook whose signature, timestamp or headers do not verify."""

    status = 401


class NoTruckAvailable(DomainError):
    """No standby tow truck is left to offer the job to: the order goes to a dispatcher."""

    status = 409


class OrderClosed(DomainError):
    """The rescue order was cancelled or has ended: the workflow stops without touching it."""

    status = 409


class OfferDeclined(DomainError):
    """A tow driver said no: the workflow offers the job to the next truck."""

    status = 409


class WaitOver(DomainError):
    """The workflow step an answer was meant for has timed out or moved on."""

    status = 409


class Unavailable(DomainError):
    """A part this request needs is not configured or not reachable; nothing was changed."""

    status = 503


class DayFullyBooked(DomainError):
    """A service point has no appointment left that day; the reply names the next free working day."""

    status = 409


class QrForged(DomainError):
    """A medical QR token that is not one of ours: unreadable, unknown key or a signature that
    does not verify. 422: the request is well formed, the token in it is not acceptable."""

    status = 422


class QrExpired(DomainError):
    """A genuine medical QR token past its validity. 410: the grant existed and is gone; a new
    one needs the officer again."""

    status = 410


class QrWrongHospital(DomainError):
    """A genuine medical QR token issued for another hospital. 403: this hospital may not use it."""

    status = 403


class QrAlreadyRedeemed(DomainError):
    """A medical QR token already scanned once. 409: it conflicts with the admission it opened."""

    status = 409


class AmountExceedsDue(DomainError):
    """An insurer's guarantee or payment, or the fund's advance, above what was asked for."""

    status = 422


class DeadlinePassed(DomainError):
    """A period of Order 146 ran out (review, mediation request, mediation itself): the reply names it."""

    status = 409


class VideoUnavailable(DomainError):
    """No media server to open a video session with (the local stack has none)."""

    status = 501
