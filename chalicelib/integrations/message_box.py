"""Where texts and WeChat notices go in a stage with no SMS or WeChat account: a box that keeps
them for reading (`GET /local/sms`, `GET /local/wechat/messages`).

The boxes are the local stack's (`infra/local/message_box.py`), registered when it starts and by
the tests' fake AWS; application code only sees this interface, and in AWS none is registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Channel = Literal["sms", "wechat"]


@dataclass(frozen=True)
class BoxedMessage:
    message_id: str
    recipient: str  # a phone number, or an openid for WeChat
    text: str
    at: str
    case_id: str | None


class MessageBox(Protocol):
    def send(self, recipient: str, text: str, case_id: str | None) -> str: ...

    def recent(self, limit: int) -> list[BoxedMessage]: ...


_boxes: dict[Channel, MessageBox] = {}


def register(channel: Channel, box: MessageBox) -> None:
    _boxes[channel] = box


def box(channel: Channel) -> MessageBox:
    try:
        return _boxes[channel]
    except KeyError:
        raise RuntimeError(f"no {channel} message box: the local stack registers one when it starts") from None


def recent(channel: Channel, limit: int) -> list[BoxedMessage]:
    """What the box kept, newest first; nothing when no box is registered."""
    registered = _boxes.get(channel)
    return registered.recent(limit) if registered is not None else []
