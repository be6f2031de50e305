"""Local-stack only: what the SMS sandbox would have sent (404 in every other stage)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import POLICE, Principal

if TYPE_CHECKING:
    from chalicelib.contracts.portal import LocalSmsBox, SmsQuery

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
