"""Case room: a message posted, a message as a member sees it, a page of the room."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from chalicelib.contracts.common import Contract, Reply
from chalicelib.domain.room_message import MAX_TEXT_LENGTH, tidy_text

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
# Stripped of control characters first, then measured: what is stored is what was counted.
MessageText = Annotated[str, AfterValidator(tidy_text), AfterValidator(lambda text: _within_limit(text))]


def _within_limit(text: str) -> str:
    if not text:
        raise ValueError("must contain visible characters")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"must be at most {MAX_TEXT_LENGTH} characters (after control characters are removed)")
    return text


class PostMessage(Contract):
    """Exactly one of: a text, a piece of the case's evidence, a document issued on the case."""

    text: MessageText | None = None
    evidence_id: Id | None = None
    document_id: Id | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name in ("text", "evidence_id", "document_id") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, evidenceId or documentId")
        return self


class MessagesQuery(Contract):
    after: str | None = Field(default=None, max_length=64, description="the cursor of the last message read")
    limit: int = Field(default=50, ge=1, le=200)


class SenderView(Reply):
    kind: str
    label: str
    role: str
    me: bool


class MessageView(Reply):
    cursor: str  # pass as `after` to read what follows this message
    seq: int
    at: str
    kind: str
    sender: SenderView
    text: str | None = None
    evidence_id: str | None = None
    document_id: str | None = None


class MessagePage(Reply):
    messages: list[MessageView]
    cursor: str  # after the last message of this page (or where the reader already was)
    more: bool
