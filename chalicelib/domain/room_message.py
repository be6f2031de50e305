"""A message of a case room: who sent it, what it says or points at, and how another member sees it.

Pure. A room is a chat: control characters are stripped rather than refused (a pasted line may
carry them), bidi controls too (they would make a message look like something it is not). What
other members read of a message has other people's personal data masked; the sender and the
police read it as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain import masking
from chalicelib.domain.text import BIDI_CONTROLS

MAX_TEXT_LENGTH = 1000
_KEPT_CONTROLS = frozenset("\n\t")


class MessageKind(StrEnum):
    TEXT = "TEXT"
    EVIDENCE = "EVIDENCE"  # points at a piece of the case's evidence
    DOCUMENT = "DOCUMENT"  # points at a document issued on the case
    SYSTEM = "SYSTEM"  # posted by the platform ("mediation scheduled" ...)


@dataclass(frozen=True)
class Sender:
    kind: str  # a member kind (services/room/members.py) or "system"
    key: str
    label: str  # 甲方, 民警, the insurer's name ...
    role: str  # the caller's role when it posted


@dataclass(frozen=True)
class RoomMessage:
    case_id: str
    seq: int  # 1, 2, 3 ... in the order the room received them
    at: str
    sender: Sender
    kind: MessageKind
    text: str | None = None
    evidence_id: str | None = None
    document_id: str | None = None


def tidy_text(value: str) -> str:
    """NFC, control and bidi characters removed (line breaks and tabs kept), stripped."""
    text = unicodedata.normalize("NFC", value)
    kept = "".join(c for c in text if c not in BIDI_CONTROLS and (unicodedata.category(c) != "Cc" or c in _KEPT_CONTROLS))
    return kept.strip()


def masked_text(text: str, other_names: Iterable[str]) -> str:
    """The text as a member other than its sender reads it: ID numbers, phone numbers and plates
    masked, and the names of the parties the reader is not."""
    for name in sorted({n for n in other_names if len(n.strip()) > 1}, key=len, reverse=True):
        text = text.replace(name, masking.mask_name(name))
    return masking.scrub_text(text)
