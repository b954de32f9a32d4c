"""The Matrix adapter's section of the config file (``adapters.matrix``). No matrix-nio here:
`qunzhu config check` validates this section without loading the platform library."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from qunzhu.core.adapter import AdapterConfig, Limit, Limits

__all__ = ["InviteRules", "MatrixConfig", "MatrixLimits"]

_USER_ID = re.compile(r"@[^:\s]+:[^\s]+")
_SERVER = re.compile(r"[A-Za-z0-9.-]+(:\d+)?|\*")


class InviteRules(BaseModel):
    """Whose invitations the bot accepts. Anyone else's are declined (or left pending)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Matrix ids whose invitations are accepted, e.g. ``"@wang:example.org"``.
    allow_users: tuple[str, ...] = ()
    #: Homeservers whose users' invitations are accepted, e.g. ``example.org``; ``"*"``: any.
    allow_servers: tuple[str, ...] = ()
    #: Decline (leave) other invitations; false leaves them pending.
    decline_others: bool = True

    @field_validator("allow_users")
    @classmethod
    def _users(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for user in value:
            if not _USER_ID.fullmatch(user):
                msg = f"{user!r} is not a Matrix id: write @name:server, e.g. @wang:example.org"
                raise ValueError(msg)
        return value

    @field_validator("allow_servers")
    @classmethod
    def _servers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for server in value:
            if not _SERVER.fullmatch(server):
                msg = f"{server!r} is not a server name: write example.org (or * for any)"
                raise ValueError(msg)
        return value

    def allows(self, inviter: str) -> bool:
        """Whether an invitation from the Matrix id `inviter` is accepted."""
        if inviter in self.allow_users:
            return True
        server = inviter.partition(":")[2]
        return "*" in self.allow_servers or server in self.allow_servers


class MatrixLimits(BaseModel):
    """How fast the bot sends: at most `messages` in any span of `per_seconds` seconds for the
    whole account. Synapse limits ordinary users to 0.2 messages a second after a burst of 10;
    homeserver admins usually exempt a bot account (docs/matrix.md). A homeserver's
    M_LIMIT_EXCEEDED pauses the bot as long as it asks, whatever is set here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    messages: int = Field(10, ge=1)
    per_seconds: float = Field(1.0, gt=0)

    def limits(self) -> Limits:
        return Limits(total=Limit(self.messages, self.per_seconds))


class MatrixConfig(AdapterConfig):
    """A bot account on a Matrix homeserver (see docs/matrix.md)."""

    enabled: bool = True
    #: The homeserver's address, e.g. ``https://matrix.example.org``.
    homeserver: str
    #: The bot's Matrix id, e.g. ``"@qunzhu:example.org"`` (quote it: YAML reads @ specially).
    user_id: str
    #: The account's password (``${MATRIX_PASSWORD}``); or give an `access_token` instead.
    password: SecretStr | None = None
    #: An access token of an existing login; used as it is, never renewed.
    access_token: SecretStr | None = None
    #: With `access_token`: its device id (default: asked from the homeserver).
    device_id: str | None = None
    #: The name of the device the bot's login creates (shown in the account's session list).
    device_name: str = "qunzhu"
    #: Encrypted rooms (needs ``pip install 'qunzhu[e2e]'``): keys are kept in `store_path`.
    encryption: bool = False
    #: Where the encryption keys are kept (a folder, created if needed).
    store_path: str = "matrix-store"
    #: Receive (sync). With several workers on one database, let one of them sync
    #: (``sync: ${MATRIX_SYNC:-false}``): the others only send, on the same stored login.
    sync: bool = True
    #: On the very first start, hand the recent messages of joined rooms to the plugins too.
    replay_history_on_first_start: bool = False
    #: Seconds a sync request waits for news (long polling).
    sync_timeout: float = Field(30.0, ge=0, le=300)
    #: Events per room in one sync; when more arrived (the bot was away), the rest are fetched
    #: page by page, up to `catch_up_limit` per room.
    timeline_limit: int = Field(50, ge=1, le=1000)
    catch_up_limit: int = Field(1000, ge=0)
    #: Seconds a request other than a sync may take (uploads and downloads: no limit).
    request_timeout: float = Field(30.0, gt=0)
    #: After a failed sync, wait `backoff` seconds, doubled each time (with jitter) up to
    #: `backoff_max`.
    backoff: float = Field(0.5, gt=0)
    backoff_max: float = Field(60.0, gt=0)
    #: Where the bot reacts to its own message with 1️⃣ 2️⃣ … for its buttons, so that people can
    #: tap one instead of typing the number: ``direct`` (private chats, where dialogs run),
    #: ``all`` rooms, or ``none``. Each reaction is one more event for the rate limits.
    button_reactions: Literal["direct", "all", "none"] = "direct"
    invites: InviteRules = InviteRules()
    limits: MatrixLimits = MatrixLimits()

    @field_validator("homeserver")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            msg = "must start with https:// (or http:// for a homeserver on this machine)"
            raise ValueError(msg)
        return value.rstrip("/")

    @field_validator("user_id")
    @classmethod
    def _user_id(cls, value: str) -> str:
        if not _USER_ID.fullmatch(value):
            msg = "a Matrix id looks like @qunzhu:example.org (write it in quotes)"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _credentials(self) -> MatrixConfig:
        if self.password is None and self.access_token is None:
            msg = "give a password (or an access_token) for the bot's account"
            raise ValueError(msg)
        return self

    @property
    def server_name(self) -> str:
        return self.user_id.partition(":")[2]
