"""The WeCom adapter's section of the config file (``adapters.wecom``). No SDK here: `qunzhu
config check` validates this section without the ``qunzhu[wecom]`` extra."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from qunzhu.core.adapter import AdapterConfig, ChatKind, Limit, Limits

__all__ = ["PRODUCTION_WS", "WecomConfig", "WecomLimits"]

#: The long connection's address (智能机器人长连接, "WebSocket 连接地址").
PRODUCTION_WS = "wss://openws.work.weixin.qq.com"


class WecomLimits(BaseModel):
    """What the sender keeps under. WeCom's robots may send 20 messages a minute per chat (and
    answer ``45009`` beyond); `scale` multiplies every count (tests against the emulator)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Messages per minute in one chat (group or private).
    per_chat_minute: int = Field(20, ge=1)
    #: Messages per second for the whole bot (the connection's own pace).
    per_second: int = Field(10, ge=1)
    scale: float = Field(1.0, gt=0)

    def limits(self) -> Limits:
        def count(base: int) -> int:
            return max(1, round(base * self.scale))

        per_chat = Limit(count(self.per_chat_minute), 60.0)
        return Limits(
            total=Limit(count(self.per_second), 1.0),
            per_chat={ChatKind.GROUP: per_chat, ChatKind.DIRECT: per_chat},
        )


class WecomConfig(AdapterConfig):
    """A WeCom (企业微信) AI bot on its long connection (see docs/wecom.md)."""

    enabled: bool = True
    #: The bot's ID (机器人 ID) from the bot's API settings, long-connection mode.
    bot_id: str = Field(min_length=1)
    #: Its Secret, usually ``${WECOM_BOT_SECRET}``.
    secret: SecretStr
    #: The bot's name as people see it in a group: they address it as ``@<name>``, and the
    #: adapter takes that mention off the text it hands to the plugins.
    name: str = Field("机器人", min_length=1)
    #: The long connection's address: WeCom's, a 政务微信 deployment's, or the emulator's.
    ws_url: str = PRODUCTION_WS
    #: Seconds between heartbeats (``ping``); two unanswered ones close the connection.
    heartbeat: float = Field(30.0, gt=0)
    #: Reconnecting waits 1, 2, 4 … seconds, at most this many.
    max_backoff: float = Field(30.0, gt=0)
    #: Seconds a message's ``req_id`` answers it (``aibot_respond_msg``, shown as a reply under
    #: it); later answers are active messages (``aibot_send_msg``) to the chat.
    reply_window: float = Field(300.0, ge=0)
    #: Seconds after a card's click in which the card may be updated in place.
    card_update_window: float = Field(5.0, ge=0)
    #: Seconds to wait for the platform's answer to a frame.
    request_timeout: float = Field(10.0, gt=0)
    limits: WecomLimits = WecomLimits()

    @field_validator("ws_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            msg = "must start with wss:// (or ws:// for the emulator on loopback)"
            raise ValueError(msg)
        return value.rstrip("/")

    @field_validator("name")
    @classmethod
    def _no_at(cls, value: str) -> str:
        return value.lstrip("@")
