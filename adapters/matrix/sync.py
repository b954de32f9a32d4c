"""The sync loop: ``/sync`` driven by hand, with ``next_batch`` in the inbox's cursor.

Each round asks for what happened since the stored ``next_batch``, answers invitations, maps the
events (`receive`), writes the room records, and hands the events to the inbox with the new
``next_batch`` in the same commit; only then does it ask again. A crash at any point neither
skips nor repeats an event: the round is fetched again from the stored token and the inbox drops
what it has already recorded. (opsdroid and maubot keep the token in memory or save it before
the handlers have run, and lose what arrived while the bot was down.)

The very first sync (no stored token) asks for the rooms' state without their timelines, so the
bot does not answer old messages (``replay_history_on_first_start`` asks for them). When more
happened in a room than one sync holds (``timeline_limit``), the gap is fetched page by page
(``/messages`` back from the timeline's ``prev_batch`` to the stored token), up to
``catch_up_limit`` events per room.

A failed round (network error, timeout, 5xx, a database error) waits ``backoff`` seconds,
doubled each time with jitter up to ``backoff_max``, and is logged once per attempt; a 429 waits
what the homeserver asks; an ``M_UNKNOWN_TOKEN`` logs in again (with the password). Nothing
retries in a tight loop (opsdroid issue #2016: 2 million sync requests in a day of outage).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from nio import (
    AsyncClient,
    MessageDirection,
    RoomMessagesResponse,
    SyncResponse,
)

from qunzhu.core.adapter import Clock, EventSink

from .choices import Choices
from .config import MatrixConfig
from .errors import http_status, is_unknown_token
from .invites import Invitation, Invites, invitation
from .receive import Receiver, RoomUpdate
from .rooms import Rooms
from .session import Session

__all__ = ["SyncFailed", "Syncer", "fetch_gap", "sync_filter"]

log = logging.getLogger("qunzhu.adapters.matrix")
_PAGE = 100


class SyncFailed(Exception):
    """A request of the sync round was refused; the round is retried after a pause."""


def sync_filter(*, timeline_limit: int) -> dict[str, Any]:
    """What the bot asks for: timelines, state with the members of whoever speaks (lazy loading,
    redundant ones included, so display names are always there), no typing, receipts or
    presence."""
    return {
        "room": {
            "state": {"lazy_load_members": True, "include_redundant_members": True},
            "timeline": {"limit": timeline_limit, "lazy_load_members": True},
            "ephemeral": {"not_types": ["*"]},
            "account_data": {"not_types": ["*"]},
        },
        "presence": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    }


class Syncer:
    def __init__(
        self,
        client: AsyncClient,
        *,
        sink: EventSink,
        receiver: Receiver,
        invites: Invites,
        rooms: Rooms,
        choices: Choices,
        session: Session,
        config: MatrixConfig,
        clock: Clock,
        after_sync: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self.sink = sink
        self.receiver = receiver
        self.invites = invites
        self.rooms = rooms
        self.choices = choices
        self.session = session
        self.config = config
        self.clock = clock
        self.after_sync = after_sync
        self.rounds = 0
        self.failures = 0
        self.failed_rounds = 0
        self._down_since = 0.0
        self._relogged = False
        self._rng = random.Random()
        self._first = sync_filter(timeline_limit=0)
        self._normal = sync_filter(timeline_limit=config.timeline_limit)

    async def run(self) -> None:
        while True:
            try:
                since = await self.sink.cursor()
                break
            except Exception as exc:  # the database is not there yet
                await self._failed("cursor", exc)
        if since is None:
            log.info(
                "event=matrix_first_sync history=%s", self.config.replay_history_on_first_start
            )
        while True:
            response = await self._sync(since)
            if response is None:
                continue
            try:
                await self._record(response, since)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database, a refused gap: the same round again
                await self._failed("record", exc)
                continue
            since = response.next_batch
            self.rounds += 1
            self._recovered()

    async def _record(self, response: SyncResponse, since: str | None) -> None:
        updates, invitations = _split(response, self.client.user_id)
        await self.invites.answer(invitations)
        history = self.config.replay_history_on_first_start
        events = await self.receiver.convert(updates, since=since, history=history)
        await self.rooms.save()
        await self.choices.save()
        await self.sink.submit(events, cursor=response.next_batch)
        if self.after_sync is not None:
            await self.after_sync()

    async def _sync(self, since: str | None) -> SyncResponse | None:
        """One ``/sync``; None after a failure (and the pause it calls for)."""
        first = since is None and not self.config.replay_history_on_first_start
        # nio syncs from its own last token when `since` is None: it must be ours
        self.client.next_batch = since
        timeout = 0 if since is None else int(self.config.sync_timeout * 1000)
        try:
            response = await self.client.sync(
                timeout=timeout,
                since=since,
                sync_filter=self._first if first else self._normal,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # network errors, timeouts, a garbled answer
            await self._failed("sync", exc)
            return None
        if isinstance(response, SyncResponse):
            self._relogged = False
            return response
        if is_unknown_token(response) and self.session.renewable and not self._relogged:
            log.warning("event=matrix_token_refused action=login error=%s", response)
            self._relogged = True  # once per successful round: a fresh token refused at once
            try:  # is a failure like any other (backoff), not a loop of logins
                await self.session.login()
            except Exception as exc:
                await self._failed("login", exc)
            return None
        retry_ms = getattr(response, "retry_after_ms", None)
        if isinstance(retry_ms, int) and retry_ms > 0:
            log.warning("event=matrix_sync_limited seconds=%.1f", retry_ms / 1000)
            await self.clock.sleep(retry_ms / 1000)
            return None
        status = http_status(response)
        await self._failed("sync", SyncFailed(f"{status}: {response}"))
        self._relogged = False  # after the pause, a refused token may be renewed again
        return None

    async def _failed(self, stage: str, exc: BaseException) -> None:
        self.failures += 1
        self.failed_rounds += 1
        if self.failures == 1:
            self._down_since = self.clock.monotonic()
        cfg = self.config
        pause = min(cfg.backoff * 2 ** min(self.failures - 1, 30), cfg.backoff_max)
        pause *= 0.5 + self._rng.random() / 2
        log.warning(
            "event=matrix_sync_failed stage=%s attempt=%d pause=%.1f error=%s: %s",
            stage,
            self.failures,
            pause,
            type(exc).__name__,
            exc,
        )
        await self.clock.sleep(pause)

    def _recovered(self) -> None:
        if self.failures:
            log.warning(
                "event=matrix_sync_recovered attempts=%d seconds=%.1f",
                self.failures,
                self.clock.monotonic() - self._down_since,
            )
            self.failures = 0


async def fetch_gap(
    client: AsyncClient, room_id: str, prev_batch: str, since: str, *, limit: int
) -> list[Mapping[str, Any]]:
    """The events between `since` and the start of a limited timeline, oldest first."""
    found: list[Mapping[str, Any]] = []
    token = prev_batch
    while len(found) < limit:
        response = await client.room_messages(
            room_id,
            start=token,
            end=since,
            direction=MessageDirection.back,
            limit=min(_PAGE, limit - len(found)),
        )
        if not isinstance(response, RoomMessagesResponse):
            msg = f"catching up in {room_id} failed: {response}"
            raise SyncFailed(msg)
        chunk = [s for e in response.chunk if isinstance(s := getattr(e, "source", None), dict)]
        found += chunk
        if not chunk or not response.end or response.end == token:
            break
        token = response.end
    else:
        log.warning(
            "event=matrix_catch_up_truncated room=%s kept=%d hint=%s",
            room_id,
            len(found),
            "more happened while the bot was away than catch_up_limit allows",
        )
    log.info("event=matrix_catch_up room=%s events=%d", room_id, len(found))
    found.reverse()
    return found


def _sources(events: Any) -> list[Mapping[str, Any]]:
    return [s for e in events or () if isinstance(s := getattr(e, "source", None), dict)]


def _invite_sources(events: Any) -> list[Mapping[str, Any]]:
    """An invitation's stripped state (nio takes the member events' ``content`` out of their
    source: it is put back)."""
    out: list[Mapping[str, Any]] = []
    for event in events or ():
        source = getattr(event, "source", None)
        if not isinstance(source, dict):
            continue
        content = getattr(event, "content", None)
        out.append({**source, "content": content} if isinstance(content, dict) else source)
    return out


def _split(response: SyncResponse, bot_user_id: str) -> tuple[list[RoomUpdate], list[Invitation]]:
    """A sync response as room updates (joined rooms, then rooms left) and invitations."""
    updates = []
    for room_id, info in response.rooms.join.items():
        summary = info.summary
        updates.append(
            RoomUpdate(
                room_id,
                _sources(info.state),
                _sources(info.timeline.events),
                limited=bool(info.timeline.limited),
                prev_batch=info.timeline.prev_batch,
                joined=summary.joined_member_count if summary else None,
                invited=summary.invited_member_count if summary else None,
                heroes=tuple(summary.heroes or ()) if summary else (),
            )
        )
    for room_id, info in response.rooms.leave.items():
        updates.append(
            RoomUpdate(room_id, _sources(info.state), _sources(info.timeline.events), left=True)
        )
    invitations = []
    for room_id, info in response.rooms.invite.items():
        found = invitation(room_id, _invite_sources(info.invite_state), bot_user_id)
        if found is not None:
            invitations.append(found)
    return updates, invitations
