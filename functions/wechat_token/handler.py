"""Scheduled Lambda inside the WeChat egress VPC (every 2 minutes): refresh the official account's
shared access token ahead of its expiry. WeChat answers the token endpoint only from whitelisted
addresses, and this function's traffic leaves through the NAT gateway's Elastic IP (output
`WeChatEgressAddress`); every other function reads the token from the table (ADR 0034).

A failed refresh keeps the stored token; the run fails (the alarm) only once no usable token is left.
"""

from __future__ import annotations

from typing import Any

from chalicelib.integrations.wechat_token import refresh_if_due
from chalicelib.observability import function_handler, logger


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    refreshed = refresh_if_due()
    logger.info("WeChat token check", extra={"refreshed": refreshed})
    return {"refreshed": refreshed}
