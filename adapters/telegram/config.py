"""The Telegram adapter's section of the config file (``adapters.telegram``). No aiogram here:
`qunzhu config check` validates this section without loading the platform library."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from qunzhu.core.adapter import AdapterConfig, ChatKind, Limit, Limits

__all__ = ["TelegramConfig", "TelegramLimits"]

PRODUCTION_API = "https://api.telegram.org"
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramLimits(BaseModel):
    """Telegram's flood limits (https://core.telegram.org/bots/faq#broadcasting-to-users). The
    sender never exceeds them; `scale` multiplies every count (for the emulator's ``--scale``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Messages per second for the whole bot.
    per_second: int = Field(30, ge=1)
    #: Messages per minute in one group or supergroup.
    per_group_minute: int = Field(20, ge=1)
    #: Messages per second in one private chat.
    per_private_second: int = Field(1, ge=1)
    scale: float = Field(1.0, gt=0)

    def limits(self) -> Limits:
        def count(base: int) -> int:
            return max(1, round(base * self.scale))

        return Limits(
            total=Limit(count(self.per_second), 1.0),
            per_chat={
                ChatKind.GROUP: Limit(count(self.per_group_minute), 60.0),
                ChatKind.DIRECT: Limit(count(self.per_private_second), 1.0),
            },
        )


class TelegramConfig(AdapterConfig):
    """A bot account on Telegram (see docs/telegram.md)."""

    enabled: bool = True
    #: The token @BotFather gave, usually ``${TELEGRAM_TOKEN}``.
    token: SecretStr
    #: The Bot API server: Telegram's, a self-hosted one, or the emulator for tests and demos.
    api_base: str = PRODUCTION_API
    #: ``polling`` (getUpdates, works behind any firewall) or ``webhook`` (Telegram posts to the
    #: bot's web server: needs ``web.enabled`` and a public HTTPS address).
    mode: Literal["polling", "webhook"] = "polling"
    #: Seconds a getUpdates request waits for news (long polling).
    poll_timeout: int = Field(25, ge=0, le=50)
    #: Where the web server takes Telegram's webhook posts.
    webhook_path: str = Field("/telegram/webhook", pattern=r"^/\S*$")
    #: The address Telegram reaches the web server at, e.g. ``https://bot.example.org``
    #: (`webhook_path` is appended). Required in webhook mode.
    public_url: str | None = None
    #: Telegram sends it in every webhook post; requests without it are refused. Default: one
    #: derived from the token, so every worker of one bot agrees on it.
    webhook_secret: SecretStr | None = None
    #: The bot's user name without @; default: asked from Telegram (getMe) at start.
    bot_username: str | None = None
    #: Seconds to wait for the rest of an album (photos sent together arrive one by one).
    album_wait: float = Field(1.0, gt=0, le=30)
    #: Set the command menu (setMyCommands) at start from the plugins' commands.
    command_menu: bool = True
    limits: TelegramLimits = TelegramLimits()

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN.fullmatch(value.get_secret_value()):
            msg = "a bot token looks like 123456:ABC-def (ask @BotFather)"
            raise ValueError(msg)
        return value

    @field_validator("api_base", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            msg = "must start with http:// or https://"
            raise ValueError(msg)
        return value.rstrip("/") if value is not None else None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.fullmatch(value.get_secret_value()):
            msg = "1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            raise ValueError(msg)
        return value

    @field_validator("bot_username")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return value.lstrip("@") if value else None

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramConfig:
        if self.mode == "webhook" and not self.public_url:
            msg = "mode webhook needs public_url (the address Telegram reaches web: at)"
            raise ValueError(msg)
        return self

    @property
    def webhook_url(self) -> str:
        return f"{self.public_url}{self.webhook_path}"

    @property
    def secret(self) -> str:
        """The webhook's secret token: the configured one, or one derived from the token."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        digest = hashlib.sha256(b"qunzhu-webhook:" + self.token.get_secret_value().encode())
        return digest.hexdigest()
