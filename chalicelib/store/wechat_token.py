"""The official account's access token, shared by every container: one item per AppID holding the
token, when it expires, and the lease of the one caller refreshing it. Only this module spells the
key (`WECHATTOKEN#<appId>`).

Times are epoch seconds. The lease is taken and the token written with conditional updates, so two
callers never refresh at once and a caller whose lease was taken over cannot overwrite the token.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.store.table import TableItem, TableMeta

_SORT_KEY = "#TOKEN"


class WeChatTokenItem(TableItem):
    class Meta(TableMeta):
        pass

    token = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    lease_holder = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)


@dataclass(frozen=True)
class CachedToken:
    token: str | None
    expires_at: float
    leased_until: float  # 0 when nobody is refreshing it


def _key(app_id: str) -> str:
    return f"WECHATTOKEN#{app_id}"


def _item(app_id: str) -> WeChatTokenItem:
    return WeChatTokenItem(pk=_key(app_id), sk=_SORT_KEY)


def cached(app_id: str) -> CachedToken | None:
    """The stored token as it is now (strongly consistent), or None before the first refresh."""
    try:
        item = WeChatTokenItem.get(_key(app_id), _SORT_KEY, consistent_read=True)
    except DoesNotExist:
        return None
    return CachedToken(item.token, float(item.expires_at or 0), float(item.lease_until or 0))


def take_lease(app_id: str, holder: str, now: float, until: float) -> bool:
    """Become the one caller refreshing the token until `until`; False while another holds it."""
    try:
        _item(app_id).update(
            actions=[WeChatTokenItem.lease_holder.set(holder), WeChatTokenItem.lease_until.set(until)],
            condition=WeChatTokenItem.lease_until.does_not_exist() | (WeChatTokenItem.lease_until < now),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def store(app_id: str, holder: str, token: str, expires_at: float) -> bool:
    """Write the new token and end the lease, if `holder` still holds it."""
    return _end_lease(app_id, holder, WeChatTokenItem.token.set(token), WeChatTokenItem.expires_at.set(expires_at))


def release(app_id: str, holder: str) -> bool:
    """End the lease without a new token (the refresh failed): the stored token stays."""
    return _end_lease(app_id, holder)


def _end_lease(app_id: str, holder: str, *actions: object) -> bool:
    try:
        _item(app_id).update(
            actions=[*actions, WeChatTokenItem.lease_holder.remove(), WeChatTokenItem.lease_until.remove()],  # type: ignore[list-item]
            condition=WeChatTokenItem.lease_holder == holder,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
