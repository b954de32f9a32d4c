"""`MatrixAdapter`: a Matrix account, driven with matrix-nio's HTTP client.

    adapters:
      matrix:
        homeserver: https://matrix.example.org
        user_id: "@qunzhu:example.org"
        password: ${MATRIX_PASSWORD}

`session` logs in once and keeps the device; `sync` drives ``/sync`` with ``next_batch`` in the
inbox's cursor; `receive` maps a sync's rooms to core events (`mapping`), keeping the room
directory (`rooms`) and the buttons the bot offered (`choices`); `invites` answers invitations.
Sending goes through `send.Poster` (`render` for HTML and numbered buttons, `uploads` for
photos), reactions through `reactions.Reactions`; `errors` turns the homeserver's answers into
the outbox's verdicts; `crypto` adds encrypted rooms; `direct` opens a person's private chat
once for all workers. See docs/matrix.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from functools import partial
from typing import ClassVar

import aiohttp
from nio import (
    AsyncClient,
    JoinResponse,
    RoomGetEventResponse,
    RoomLeaveResponse,
)
from nio.rooms import MatrixRoom

from qunzhu.core.adapter import (
    Adapter,
    AdapterConfig,
    Attachment,
    ButtonStyle,
    Capabilities,
    ChatRef,
    Clock,
    EventSink,
    PermanentFailure,
    Reply,
    UserRef,
)

from . import media
from .choices import Choices, Offer, offer_of
from .config import MatrixConfig
from .crypto import client_config, keep_keys, store_dir
from .direct import DirectChats
from .errors import response_error
from .invites import Invites
from .mapping import PLATFORM
from .reactions import Reactions
from .receive import Receiver
from .rooms import Rooms
from .send import Poster
from .session import Session
from .sync import Syncer, fetch_gap
from .uploads import Uploads

__all__ = ["MatrixAdapter"]

log = logging.getLogger("qunzhu.adapters.matrix")


class MatrixAdapter(Adapter):
    """A Matrix bot account. See docs/matrix.md."""

    platform: ClassVar[str] = PLATFORM
    Config: ClassVar[type[AdapterConfig]] = MatrixConfig
    #: Every room message; no buttons (a numbered list answered by number or reaction); edits
    #: and reactions; `direct_chat` invites a person to a private room, so it writes first.
    capabilities = Capabilities(buttons=ButtonStyle.NUMBERED, reactions=True)
    config: MatrixConfig

    def __init__(self, config: MatrixConfig, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.limits = config.limits.limits()
        self.bot_user_id = config.user_id
        self.client = AsyncClient(
            config.homeserver,
            config.user_id,
            device_id=config.device_id or "",
            store_path=store_dir(config),
            config=client_config(config),
        )
        self.session = Session(self.client, config)
        self.rooms = Rooms(None, config.user_id)
        self.direct = DirectChats(self.client, self.rooms, clock)
        self.choices = Choices(None, self._fetch_buttons)
        self.uploads = Uploads(self._upload, self._fetch_url)
        self.poster = Poster(
            self.client,
            self.uploads,
            self._name,
            self._prepare_room,
            button_reactions=config.button_reactions,
            people_names=self._people_names,
        )
        self.reactions = Reactions(self.client, self.poster.room_send)
        self.syncer: Syncer | None = None
        self.invites: Invites | None = None
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None

    async def _people_names(self, keys: Sequence[str]) -> dict[str, str]:
        return await self.people_names(keys)  # set by the application after __init__

    # -- the Adapter contract ------------------------------------------------------------------
    async def start(self, sink: EventSink) -> None:
        cfg = self.config
        await self.session.open(sink)
        self.rooms = Rooms(sink, cfg.user_id)
        self.direct = DirectChats(self.client, self.rooms, self.clock)
        self.choices = Choices(sink, self._fetch_buttons)
        self.uploads.attach(sink)
        self.invites = Invites(_Membership(self.client), cfg.invites, self.rooms)
        receiver = Receiver(
            bot_user_id=cfg.user_id,
            rooms=self.rooms,
            choices=self.choices,
            hooks=self.declared.hooks,
            gap=partial(fetch_gap, self.client, limit=cfg.catch_up_limit),
        )
        self.syncer = Syncer(
            self.client,
            sink=sink,
            receiver=receiver,
            invites=self.invites,
            rooms=self.rooms,
            choices=self.choices,
            session=self.session,
            config=cfg,
            clock=self.clock,
            after_sync=partial(keep_keys, self.client),
        )
        log.info(
            "event=matrix_started user=%s device=%s homeserver=%s encryption=%s sync=%s",
            cfg.user_id,
            self.client.device_id,
            cfg.homeserver,
            cfg.encryption,
            cfg.sync,
        )

    async def _run(self) -> None:
        assert self.syncer is not None
        try:
            await self.syncer.run()
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - the loop catches what it expects
            log.exception("event=matrix_sync_stopped")
            raise

    def receiver_key(self) -> str | None:
        """One ``/sync`` loop per account: two would fetch every event twice. ``sync: false``
        (a worker that only sends) receives nothing."""
        return f"matrix:{self.config.user_id}" if self.config.sync else None

    async def start_receiving(self) -> None:
        if self._task is None:
            # what it read before may be older than what the worker that synced meanwhile wrote
            self.rooms.forget()
            self.choices.forget()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="matrix-sync")

    async def stop_receiving(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def stop(self) -> None:
        await self.stop_receiving()

    async def close(self) -> None:
        await self.client.close()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        return await self.poster.send(chat, reply)

    async def send_keyed(self, chat: ChatRef, reply: Reply, key: str) -> str:
        return await self.poster.send(chat, reply, key)

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        await self.poster.edit(chat, message_id, reply)

    async def react(
        self, chat: ChatRef, target_event_id: str, key: str, *, removed: bool = False, txn: str
    ) -> None:
        await self.reactions.react(chat, target_event_id, key, removed=removed, txn=txn)

    async def download(self, attachment: Attachment) -> bytes:
        return await media.download(self.client, attachment.ref)

    async def known_direct_chat(self, user: UserRef) -> ChatRef | None:
        """The person's private room with the bot, if the bot is in one with them (a worker
        that does not sync reads it from the state each time)."""
        return await self.direct.known(user, fresh=self._task is None)

    async def direct_chat(self, user: UserRef) -> ChatRef:
        """The person's private chat with the bot: the one known, or a new room the person is
        invited to (they see the bot's messages once they accept), once for all workers."""
        return await self.direct.open(user, fresh=self._task is None)

    # -- helpers -------------------------------------------------------------------------------
    def _name(self, room_id: str, user_id: str) -> str:
        return self.rooms.display_name(room_id, user_id)

    def _prepare_room(self, room_id: str) -> None:
        """With encryption, nio encrypts only for rooms it knows: after a restart it has not
        seen a quiet room yet, so tell it what the directory knows (it then asks the members)."""
        if self.client.olm is None or room_id in self.client.rooms:
            return
        room = self.rooms.known(room_id)
        if room is not None and room.encrypted:
            nio_room = MatrixRoom(room_id, self.client.user_id, encrypted=True)
            self.client.rooms[room_id] = nio_room
            self.client.encrypted_rooms.add(room_id)

    async def _upload(self, data: bytes, mime: str, filename: str) -> str:
        return await self.poster.upload(data, mime, filename)

    async def _fetch_url(self, url: str) -> bytes:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return await media.fetch_url(self._http, url)

    async def _fetch_buttons(self, room_id: str, event_id: str) -> Offer | None:
        """The buttons of an older bot message, read from the homeserver."""
        try:
            response = await self.client.room_get_event(room_id, event_id)
        except Exception as exc:
            log.warning("event=matrix_event_fetch_failed event_id=%s error=%s", event_id, exc)
            return None
        if not isinstance(response, RoomGetEventResponse):
            return None
        source = getattr(response.event, "source", {})
        if source.get("sender") != self.bot_user_id:
            return None
        content = source.get("content")
        return offer_of(event_id, content) if isinstance(content, Mapping) else None


class _Membership:
    """Joining and leaving rooms for `Invites`: True when done; a refusal is logged."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def join(self, room_id: str) -> bool:
        response = await self.client.join(room_id)
        if isinstance(response, JoinResponse):
            return True
        return _refused("join", room_id, response)

    async def leave(self, room_id: str) -> bool:
        response = await self.client.room_leave(room_id)
        if isinstance(response, RoomLeaveResponse):
            return True
        return _refused("leave", room_id, response)


def _refused(action: str, room_id: str, response: object) -> bool:
    """A refusal that will pass (5xx, 429) fails the sync round, which is retried; any other
    is logged, and the invitation dropped."""
    error = response_error(response, f"{action} {room_id}: ")
    if not isinstance(error, PermanentFailure):
        raise error
    log.warning("event=matrix_%s_refused room=%s error=%s", action, room_id, error)
    return False
