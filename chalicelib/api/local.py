"""Local-stack only: what the SMS and WeChat sandboxes would have sent (404 in every other stage)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import POLICE, Principal

if TYPE_CHECKING:
    from chalicelib.contracts.portal import LocalSmsBox, LocalWeChatBox, SmsQuery
    from chalicelib.contracts.staff import LocalStaffList, StaffSession, StaffTokenRequest

blueprint = Blueprint(__name__)


@operation(blueprint, "/local/sms", "GET", summary="Local stack: the SMS that would have been sent, newest first",
           roles=POLICE, reply="chalicelib.contracts.portal:LocalSmsBox", query="chalicelib.contracts.portal:SmsQuery")
def get_local_sms(principal: Principal, query: SmsQuery) -> LocalSmsBox:
    from chalicelib.contracts.portal import LocalSmsBox
    from chalicelib.errors import NotFound
    from chalicelib.integrations import sms
    from chalicelib.settings import get_settings

    if get_settings().sms_provider != "local":
        raise NotFound("there is no local SMS box in this stage", field="path")
    return LocalSmsBox.model_validate({"messages": sms.local_box(query.limit)})


@operation(blueprint, "/local/wechat/messages", "GET", summary="Local stack: the WeChat notices that would have been sent",
           roles=POLICE, reply="chalicelib.contracts.portal:LocalWeChatBox", query="chalicelib.contracts.portal:SmsQuery")
def get_local_wechat(principal: Principal, query: SmsQuery) -> LocalWeChatBox:
    from chalicelib.contracts.portal import LocalWeChatBox
    from chalicelib.errors import NotFound
    from chalicelib.integrations import wechat_messages
    from chalicelib.settings import get_settings

    if get_settings().wechat_oauth != "local":
        raise NotFound("there is no local WeChat box in this stage", field="path")
    return LocalWeChatBox.model_validate({"messages": wechat_messages.local_box(query.limit)})


@operation(blueprint, "/local/staff", "GET", summary="Local stack: the seeded staff and partner accounts the sign-in stand-in offers",
           roles=None, reply="chalicelib.contracts.staff:LocalStaffList")
def get_local_staff() -> LocalStaffList:
    from chalicelib.services import staff_sessions

    return staff_sessions.local_accounts()


@operation(blueprint, "/local/staff/token", "POST", summary="Local stack: a token for a seeded account (the sign-in stand-in)",
           roles=None, body="chalicelib.contracts.staff:StaffTokenRequest", reply="chalicelib.contracts.staff:StaffSession")
def post_local_staff_token(body: StaffTokenRequest) -> StaffSession:
    from chalicelib.services import staff_sessions

    return staff_sessions.local_session(body)
