"""A message or event pushed by WeChat to the official account, as the dialogue reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Inbound:
    """One message or event pushed by WeChat. `from_user` is the sender's openid, `to_user` our account."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    content: str | None = None
    event: str | None = None
    event_key: str | None = None
    msg_id: str | None = None

    @property
    def push_id(self) -> str:
        """What WeChat's retries of this push share: its MsgId, or for an event (which has none)
        the sender, CreateTime and event."""
        return self.msg_id or f"{self.from_user}#{self.create_time}#{self.event}"
