"""The deploy's parameters (`infra/cdk/parameters.py`): the WeChat official account."""

from __future__ import annotations

import re

from tests.infra.cdk_template import Synth


def test_wechat_parameters_hide_the_secrets_and_have_no_defaults(synth: Synth) -> None:
    parameters = synth.template["Parameters"]
    secret = {"WechatToken", "WechatEncodingAesKey", "WechatPreviousEncodingAesKey"}
    for name in (*secret, "WechatAppId"):
        parameter = parameters[name]
        assert parameter["Type"] == "String", name
        assert parameter.get("NoEcho", False) is (name in secret), name
        assert parameter.get("AllowedPattern"), name
    for name in ("WechatToken", "WechatAppId", "WechatEncodingAesKey"):
        assert "Default" not in parameters[name], name  # a deploy names the official account
    # optional: empty means none (the app drops empty EncodingAESKeys)
    previous = parameters["WechatPreviousEncodingAesKey"]
    assert previous["Default"] == ""
    assert re.fullmatch(previous["AllowedPattern"], "")
    assert re.fullmatch(previous["AllowedPattern"], "A" * 43)
    assert not re.fullmatch(previous["AllowedPattern"], "A" * 42)
    assert re.fullmatch(parameters["WechatEncodingAesKey"]["AllowedPattern"], "abcXYZ019+/" * 3 + "A" * 10)
    assert not re.fullmatch(parameters["WechatEncodingAesKey"]["AllowedPattern"], "")
    assert re.fullmatch(parameters["WechatAppId"]["AllowedPattern"], "wx0123456789abcdef")
    assert not re.fullmatch(parameters["WechatAppId"]["AllowedPattern"], "wx0000000000local")
    assert not re.fullmatch(parameters["WechatToken"]["AllowedPattern"], "")
