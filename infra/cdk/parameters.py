"""`Parameters`: what a deploy names, as CloudFormation parameters: the public base URL and the
WeChat official account's settings (SMS goes through SNS, the account is the deploy's own)."""

from __future__ import annotations

from aws_cdk import CfnParameter, Fn
from constructs import Construct

from infra.cdk.common import Capability

# WeChat's formats: a token of 3 to 32 letters and digits, an AppID `wx` + 16 characters, an
# EncodingAESKey of 43 base64 characters (chalicelib.integrations.wechat checks the same).
WECHAT_TOKEN_PATTERN = r"^[A-Za-z0-9]{3,32}$"  # noqa: S105 - a format, not a token
WECHAT_APP_ID_PATTERN = r"^wx[A-Za-z0-9]{16}$"
WECHAT_AES_KEY = r"[A-Za-z0-9+/]{43}"


class Parameters(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.public_base_url = CfnParameter(
            self,
            "PublicBaseUrl",
            type="String",
            description="Public HTTPS base URL of the service (links in SMS / WeChat notices); "
            "its origin is also the only origin allowed to upload evidence from a browser.",
            allowed_pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/.*)?$",
            constraint_description="must be an https:// URL",
        ).value_as_string
        # scheme + host of the base URL: "https://a.b/c" -> ["https:", "", "a.b", "c"] -> "https://a.b"
        self.public_origin = Fn.join("", ["https://", Fn.select(2, Fn.split("/", self.public_base_url))])
        # What the API and the deliverer read from the deploy's parameters.
        self.environment = {"PUBLIC_BASE_URL": self.public_base_url, **self._messaging_environment()}

    def _messaging_environment(self) -> dict[str, str]:
        """WeChat and SMS settings of the API and the deliverer: the real providers, the account's settings.

        The app reads the WeChat token and EncodingAESKeys from its environment, so they come from
        NoEcho parameters (kept out of the template and out of CloudFormation's console and API,
        but readable in the functions' configuration); the AppSecret, which obtains WeChat API access
        tokens, is in the app secret instead. No defaults: a deploy names the account. SMS goes
        through SNS; only the deliverer sends it (party notices), so only its role may publish.
        """
        token = CfnParameter(
            self,
            "WechatToken",
            type="String",
            no_echo=True,
            description="WeChat official account: the Token set on the server configuration page",
            allowed_pattern=WECHAT_TOKEN_PATTERN,
            constraint_description="3 to 32 letters or digits",
        )
        app_id = CfnParameter(
            self,
            "WechatAppId",
            type="String",
            description="WeChat official account: the AppID (public)",
            allowed_pattern=WECHAT_APP_ID_PATTERN,
            constraint_description="wx followed by 16 letters or digits",
        )
        aes_key = CfnParameter(
            self,
            "WechatEncodingAesKey",
            type="String",
            no_echo=True,
            description="WeChat official account: the current EncodingAESKey (safe mode)",
            allowed_pattern=f"^{WECHAT_AES_KEY}$",
            constraint_description="43 base64 characters",
        )
        previous_aes_key = CfnParameter(
            self,
            "WechatPreviousEncodingAesKey",
            type="String",
            no_echo=True,
            default="",
            description="WeChat official account: the EncodingAESKey before the last change, while WeChat may still use it; empty for none",
            allowed_pattern=f"^({WECHAT_AES_KEY})?$",
            constraint_description="empty or 43 base64 characters",
        )
        return {
            "SMS_PROVIDER": "sns",
            "WECHAT_OAUTH": "wechat",
            "WECHAT_TOKEN": token.value_as_string,
            "WECHAT_APP_ID": app_id.value_as_string,
            "WECHAT_ENCODING_AES_KEY": aes_key.value_as_string,
            # Always set: empty means none (wechat_account.aes_keys() drops empty keys).
            "WECHAT_PREVIOUS_ENCODING_AES_KEY": previous_aes_key.value_as_string,
        }
