"""Case room video sessions: members open, join, leave; the police or the mediator end (ADR 0026)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import ANY_AUTHENTICATED, Principal

if TYPE_CHECKING:
    from chalicelib.contracts.video import JoinInfo, VideoSessionView

blueprint = Blueprint(__name__)
V = "chalicelib.contracts.video"
# Membership is derived from the case in the service; a caller who is not a member gets 404.
MEMBERS = ANY_AUTHENTICATED
SESSION = "/cases/{caseId}/room/video/{sessionId}"


@operation(blueprint, "/cases/{caseId}/room/video", "POST",
           summary="Open the room's video session, or answer the one open (501 where there is no media server)",
           roles=MEMBERS, reply=f"{V}:VideoSessionView")
def open_video(principal: Principal, case_id: str) -> VideoSessionView:
    from chalicelib.services.room import video

    return video.open_session(principal, case_id)


@operation(blueprint, SESSION, "GET", summary="A video session: who joined and left when, its recordings",
           roles=MEMBERS, reply=f"{V}:VideoSessionView")
def get_video(principal: Principal, case_id: str, session_id: str) -> VideoSessionView:
    from chalicelib.services.room import video

    return video.current(principal, case_id, session_id)


@operation(blueprint, f"{SESSION}/join", "POST", summary="Join the video session: the attendee's join information",
           roles=MEMBERS, reply=f"{V}:JoinInfo")
def join_video(principal: Principal, case_id: str, session_id: str) -> JoinInfo:
    from chalicelib.services.room import video

    return video.join(principal, case_id, session_id)


@operation(blueprint, f"{SESSION}/leave", "POST", summary="Leave the video session", roles=MEMBERS,
           reply=f"{V}:VideoSessionView")
def leave_video(principal: Principal, case_id: str, session_id: str) -> VideoSessionView:
    from chalicelib.services.room import video

    return video.leave(principal, case_id, session_id)


@operation(blueprint, f"{SESSION}/end", "POST", summary="End the video session for everyone (police or mediator)",
           roles=MEMBERS, reply=f"{V}:VideoSessionView")
def end_video(principal: Principal, case_id: str, session_id: str) -> VideoSessionView:
    from chalicelib.services.room import video

    return video.end(principal, case_id, session_id)
