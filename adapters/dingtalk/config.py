"""The DingTalk adapter's section of the config file (``adapters.dingtalk``). No SDK here:
`qunzhu config check` validates this section without the ``qunzhu[dingtalk]`` extra."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from qunzhu.core.adapter import AdapterConfig, ChatKind, Limit, Limits

__all__ = ["PRODUCTION_API", "PRODUCTION_OAPI", "DingtalkConfig", "DingtalkLimits"]

#: DingTalk's open API: Stream mode's ``connections/open``, tokens, the robot's send APIs.
PRODUCTION_API = "https://api.dingtalk.com"
#: The older open API (``oapi``), where media files are uploaded.
PRODUCTION_OAPI = "https://oapi.dingtalk.com"


class DingtalkLimits(BaseModel):
    """What the sender keeps under. A DingTalk robot may send 20 messages a minute to a group
    (beyond, it is throttled for 10 minutes); `scale` multiplies every count (tests against
    the emulator)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Messages per minute in one group.
    per_group_minute: int = Field(20, ge=1)
    #: Messages per minute to one person in private.
    per_person_minute: int = Field(20, ge=1)
    #: Calls per second for the whole robot (the open API's pace).
    per_second: int = Field(20, ge=1)
    scale: float = Field(1.0, gt=0)

    def limits(self) -> Limits:
        def count(base: int) -> int:
            return max(1, round(base * self.scale))

        return Limits(
            total=Limit(count(self.per_second), 1.0),
            per_chat={
                ChatKind.GROUP: Limit(count(self.per_group_minute), 60.0),
                ChatKind.DIRECT: Limit(count(self.per_person_minute), 60.0),
            },
        )


class DingtalkConfig(AdapterConfig):
    """A DingTalk robot of an internal app (企业内部应用) in Stream mode (see docs/dingtalk.md)."""

    enabled: bool = True
    #: The app's Client ID (the former AppKey).
    client_id: str = Field(min_length=1)
    #: Its Client Secret (the former AppSecret), usually ``${DINGTALK_CLIENT_SECRET}``.
    client_secret: SecretStr
    #: The robot's code (``robotCode``); for a robot of an internal app, the Client ID.
    robot_code: str = ""
    #: The robot's name as people see it in a group: they address it as ``@<name>``.
    name: str = Field("机器人", min_length=1)
    #: The open API's address: DingTalk's, or the emulator's.
    api_url: str = PRODUCTION_API
    #: The older open API's address, for media uploads; by default DingTalk's when `api_url` is
    #: DingTalk's, else `api_url` (the emulator serves both).
    oapi_url: str | None = None
    #: Reconnecting waits 1, 2, 4 … seconds, at most this many.
    max_backoff: float = Field(30.0, gt=0)
    #: Seconds to wait for an answer of the platform.
    request_timeout: float = Field(10.0, gt=0)
    limits: DingtalkLimits = DingtalkLimits()

    @field_validator("api_url", "oapi_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            msg = "must start with https:// (or http:// for the emulator on loopback)"
            raise ValueError(msg)
        return value.rstrip("/")

    @field_validator("name")
    @classmethod
    def _no_at(cls, value: str) -> str:
        return value.lstrip("@")

    @property
    def media_url(self) -> str:
        """Where media files are uploaded (the older open API)."""
        if self.oapi_url is not None:
            return self.oapi_url
        return PRODUCTION_OAPI if self.api_url == PRODUCTION_API else self.api_url

    @property
    def robot(self) -> str:
        """The ``robotCode`` the send APIs want."""
        return self.robot_code or self.client_id
