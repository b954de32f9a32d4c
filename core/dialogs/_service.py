"""Runs the declared `Dialog`s: starts them, takes answers, times them out, cancels them.

Which (platform, chat, user) keys have an open dialog is kept in memory (loaded at start-up,
bounded by ``dialogs.cache_size``: `qunzhu.core.dialogs._index`), so a message from someone
without a dialog costs no database round trip. With several workers (``dispatcher.shared``)
another worker may open or close one, so the memory cannot be trusted: the keys of a claimed
batch are read in one query instead (`prefetch`), not one query per event.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.clock import aware
from qunzhu.core.dialogs._answers import (
    DIALOG_PREFIX,
    Reask,
    choices_of,
    gathered,
    parse_answer,
)
from qunzhu.core.dialogs._index import Key, OpenDialogs
from qunzhu.core.dialogs._spec import Dialog, Expect, Step, from_json, to_json
from qunzhu.core.errors import UsageError
from qunzhu.core.model._events import (
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    JobTick,
    Message,
)
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.storage._tables import DialogRow

if TYPE_CHECKING:
    from qunzhu.core.app import App
    from qunzhu.core.context import Context

__all__ = ["DIALOG_PREFIX", "DialogService"]

log = logging.getLogger("qunzhu.dialogs")


class DialogService:
    def __init__(self, app: App, default_timeout: float, *, cache_size: int = 50_000) -> None:
        self._app = app
        self._default_timeout = default_timeout
        self._index = OpenDialogs(cache_size)
        #: With several workers: whether each key of the batch being handled has an open
        #: dialog, read when it was claimed (None, or a key not there: ask the database).
        self._claimed: dict[Key, bool] | None = None

    async def load_index(self) -> None:
        """Remember which dialogs are open (after a restart, they resume)."""
        async with self._app.db.session() as s:
            rows = (
                await s.execute(select(DialogRow.platform, DialogRow.chat_id, DialogRow.user_id))
            ).all()
        self._index.load((r[0], r[1], r[2]) for r in rows)

    async def prefetch(self, session: AsyncSession, events: Iterable[Event]) -> None:
        """With several workers: read in one query which of `events`' senders have an open
        dialog in their chat (a query per event made shared mode several times slower)."""
        keys = {(e.chat.platform, e.chat.chat_id, e.sender.user_id) for e in events}
        claimed = dict.fromkeys(keys, False)
        if keys:
            columns = (DialogRow.platform, DialogRow.chat_id, DialogRow.user_id)
            rows = await session.execute(select(*columns).where(tuple_(*columns).in_(keys)))
            for row in rows:
                claimed[(row[0], row[1], row[2])] = True
        self._claimed = claimed

    def forget_claimed(self) -> None:
        """The batch is done (or redone event by event, each asking the database)."""
        self._claimed = None

    def is_open(self, event: Event) -> bool:
        key = (event.chat.platform, event.chat.chat_id, event.sender.user_id)
        if self._app.dispatcher.shared:  # another worker may have opened it
            return True if self._claimed is None else self._claimed.get(key, True)
        return self._index.may_be_open(key)

    def _lookup(self, plugin: str, name: str) -> tuple[str, Dialog]:
        dialogs = self._app.plugins.dialogs
        found = dialogs.get(name) or dialogs.get(f"{plugin}.{name}")
        if found is None:
            msg = f"no dialog named {name!r} (declared: {', '.join(sorted(dialogs)) or 'none'})"
            raise LookupError(msg)
        return found  # type: ignore[no-any-return]

    async def start(
        self, ctx: Context, name: str, *, chat: ChatRef, initial: dict[str, Any]
    ) -> None:
        owner, dialog = self._lookup(ctx.plugin, name)
        full = f"{owner}.{dialog.name}" if "." not in dialog.name else dialog.name
        key = (chat.platform, chat.chat_id, ctx.sender.user_id)
        s = ctx.db
        await s.execute(delete(DialogRow).where(*_where(key)))
        now = self._app.clock.now()
        row = DialogRow(
            platform=key[0],
            chat_id=key[1],
            user_id=key[2],
            plugin=owner,
            name=full,
            step=-1,
            answers={k: to_json(v) for k, v in initial.items()},
            state={"lang": ctx.lang},
            chat_kind=chat.kind.value,
            started_at=now,
            expires_at=now + self._timeout(dialog),
        )
        s.add(row)
        await self._advance(ctx, row, dialog, chat, key)
        if row.step >= 0:
            self._open(ctx, key)

    async def load(self, session: AsyncSession, event: Event) -> DialogRow | None:
        """The sender's open dialog in this chat, or None."""
        key = (event.chat.platform, event.chat.chat_id, event.sender.user_id)
        row = await session.scalar(select(DialogRow).where(*_where(key)))
        if row is None:
            self._index.closed(key)
        else:
            self._index.opened(key)
        return row

    def _open(self, ctx: Context, key: Key) -> None:
        if self._claimed is not None:
            self._claimed[key] = True
        before = self._index.state(key)
        if before is not True:
            self._index.opened(key)
            ctx.on_rollback(lambda: self._index.restore(key, before))

    def _close(self, ctx: Context, key: Key) -> None:
        if self._claimed is not None:
            self._claimed[key] = False
        before = self._index.state(key)
        if before is not False:
            self._index.closed(key)
            ctx.on_rollback(lambda: self._index.restore(key, before))

    async def answer(self, ctx: Context, row: DialogRow) -> None:
        """Take ``ctx.event`` as the answer to the current step of `row` and ask the next one
        (or finish). Runs as a handler: the dispatcher commits or rolls back ``ctx``."""
        event = ctx.event
        key = (row.platform, row.chat_id, row.user_id)
        chat = _chat_of(row, event)
        if aware(row.expires_at) < self._app.clock.now():
            await ctx.db.delete(row)
            self._close(ctx, key)
            await ctx.send(
                ctx.t.core("The previous conversation timed out; please start again."), chat=chat
            )
            return
        try:
            _, dialog = self._lookup(row.plugin, row.name)
        except LookupError:  # the plugin was removed since the dialog began
            await ctx.db.delete(row)
            self._close(ctx, key)
            return
        if isinstance(event, ButtonPress) and event.data == f"{DIALOG_PREFIX}cancel":
            await self._cancel(ctx, row, dialog, chat, key)
            return
        step = dialog.steps[row.step]
        if isinstance(event, JobTick):  # dialogs answer people, not jobs
            return
        savepoint = await ctx.db.begin_nested()
        try:
            await self._take(ctx, row, dialog, event=event, chat=chat, key=key)
            await ctx.db.flush()
        except TimeoutError:
            raise  # the watchdog's: the dispatcher rolls back and says so
        except Exception as exc:
            # a validator or on_done failed (a bug, a value the database refused): undo this
            # answer, apologise and ask the same step again, so nobody is stuck until /cancel
            await savepoint.rollback()
            ctx.rolled_back()
            await ctx.db.refresh(row)  # expired by the rollback
            if isinstance(exc, UsageError):
                hint = str(exc)
            else:
                log.exception(
                    "event=dialog_step_failed dialog=%s step=%s chat=%s",
                    row.name, step.key, chat.key,
                )  # fmt: skip
                hint = ctx.t.core("Sorry, something went wrong with that answer. Please try again.")
            self._open(ctx, key)
            await ctx.send(hint, chat=chat)
            await self._ask(ctx, dialog.steps[row.step], row, chat)
            return
        await savepoint.commit()

    async def _take(
        self,
        ctx: Context,
        row: DialogRow,
        dialog: Dialog,
        *,
        event: Event,
        chat: ChatRef,
        key: Key,
    ) -> None:
        """Take `event` as the answer to the current step and go on (or ask again when it is
        not one)."""
        step = dialog.steps[row.step]
        media = gathered(dialog, event)
        if media and step.key != dialog.gather:
            await self._gather(ctx, row, dialog, media, chat)
            await self._ask(ctx, step, row, chat)
            return
        try:
            value = await self._answer(ctx, step, event, row)
        except Reask as again:
            await ctx.send(again.hint, chat=chat)
            await self._ask(ctx, step, row, chat)
            return
        if step.key == dialog.gather and isinstance(value, tuple):
            value = (*(from_json(row.answers.get(step.key)) or ()), *value)
        row.answers = {**row.answers, step.key: to_json(value)}
        row.expires_at = self._app.clock.now() + self._timeout(dialog)
        await self._advance(ctx, row, dialog, chat, key)

    async def _gather(
        self, ctx: Context, row: DialogRow, dialog: Dialog, media: tuple[Any, ...], chat: ChatRef
    ) -> None:
        """Add `media` to the dialog's gathering step (`Dialog.gather`) and say how many."""
        assert dialog.gather is not None
        kept = (*(from_json(row.answers.get(dialog.gather)) or ()), *media)
        row.answers = {**row.answers, dialog.gather: to_json(kept)}
        row.expires_at = self._app.clock.now() + self._timeout(dialog)
        await ctx.send(ctx.t.core("Added: {count} in all.", count=len(kept)), chat=chat)

    async def cancel(self, ctx: Context) -> bool:
        """Cancel the sender's dialog in this chat; False when there was none."""
        key = (ctx.chat.platform, ctx.chat.chat_id, ctx.sender.user_id)
        row = await ctx.db.scalar(select(DialogRow).where(*_where(key)))
        if row is None:
            return False
        try:
            _, dialog = self._lookup(row.plugin, row.name)
        except LookupError:
            dialog = None
        await self._cancel(ctx, row, dialog, ctx.chat, key)
        return True

    async def _cancel(
        self, ctx: Context, row: DialogRow, dialog: Dialog | None, chat: ChatRef, key: Key
    ) -> None:
        answers = {k: from_json(v) for k, v in row.answers.items()}
        await ctx.db.delete(row)
        self._close(ctx, key)
        await ctx.send(ctx.t.core("Cancelled. Nothing was saved."), chat=chat)
        if dialog is not None and dialog.on_cancel is not None:
            await dialog.on_cancel(ctx, answers)

    async def _advance(
        self, ctx: Context, row: DialogRow, dialog: Dialog, chat: ChatRef, key: Key
    ) -> None:
        answers = {k: from_json(v) for k, v in row.answers.items()}
        nxt = row.step + 1
        while nxt < len(dialog.steps) and not _applies(dialog.steps[nxt], answers):
            nxt += 1
        if nxt >= len(dialog.steps):
            await ctx.db.delete(row)
            row.step = -1
            self._close(ctx, key)  # before on_done, which may start the next dialog here
            await dialog.on_done(ctx, answers)
            return
        row.step = nxt
        await self._ask(ctx, dialog.steps[nxt], row, chat)

    async def _ask(self, ctx: Context, step: Step, row: DialogRow, chat: ChatRef) -> None:
        answers = {k: from_json(v) for k, v in row.answers.items()}
        if callable(step.question):
            text = step.question(ctx, answers)
        else:
            text = ctx.t(step.question, **{k: v for k, v in answers.items() if isinstance(v, str)})
        rows: list[tuple[Button, ...]] = [
            (Button(ctx.t(c.label), data=f"{DIALOG_PREFIX}c:{i}"),)
            for i, c in enumerate(choices_of(step, ctx, answers))
        ]
        last = [Button(ctx.t.core("Cancel"), data=f"{DIALOG_PREFIX}cancel")]
        if step.optional:
            last.insert(0, Button(ctx.t.core("Skip"), data=f"{DIALOG_PREFIX}skip"))
        shortcuts = bool(rows)
        rows.append(tuple(last))
        reply = Reply(text=text, buttons=tuple(rows), typed_answer=_typed(step, shortcuts))
        await ctx.send(reply, chat=chat)

    async def _answer(self, ctx: Context, step: Step, event: Event, row: DialogRow) -> Any:
        answers = {k: from_json(v) for k, v in row.answers.items()}
        if step.optional and _skips(ctx, event):
            return None
        value = parse_answer(ctx, step, event, answers)
        if step.validate is not None:
            try:
                validate: Any = step.validate
                if _wants_answers(validate):
                    value = validate(ctx, value, answers)
                else:
                    value = validate(ctx, value)
                if inspect.isawaitable(value):  # an async validator (it may look things up)
                    value = await value
            except UsageError as exc:
                raise Reask(str(exc)) from exc
        return value

    def _timeout(self, dialog: Dialog) -> timedelta:
        return timedelta(seconds=dialog.timeout or self._default_timeout)


def _skips(ctx: Context, event: Event) -> bool:
    """The Skip button pressed, or its label typed (``跳过`` written where a photo was asked for:
    a person who reads the button writes it too)."""
    if isinstance(event, ButtonPress):
        return event.data == f"{DIALOG_PREFIX}skip"
    if not isinstance(event, Message) or event.attachments or event.location is not None:
        return False
    typed = (event.text or "").strip().casefold()
    return bool(typed) and typed in (ctx.t.core("Skip").casefold(), "skip")


def _typed(step: Step, shortcuts: bool) -> bool:
    """Whether `step` takes a typed answer, so that a bare number answers it instead of pressing
    Skip or Cancel on the console and Matrix. A photo, or a location that may not be typed, is
    never a number: there a number still presses a button, as on a choice. So does a text step
    that offers buttons for its common answers (`shortcuts`): "1" is far likelier the first of
    them than the text "1"."""
    if step.expect is Expect.LOCATION:
        return step.allow_address
    if step.expect is Expect.TEXT:
        return not shortcuts
    return step.expect is Expect.NUMBER


def _wants_answers(validate: Any) -> bool:
    """Whether a validator takes the answers so far as a third argument."""
    try:
        return len(inspect.signature(validate).parameters) >= 3
    except (TypeError, ValueError):
        return False


def _applies(step: Step, answers: dict[str, Any]) -> bool:
    return step.when is None or bool(step.when(answers))


def _where(key: Key) -> tuple[Any, ...]:
    return (DialogRow.platform == key[0], DialogRow.chat_id == key[1], DialogRow.user_id == key[2])


def _chat_of(row: DialogRow, event: Event | JobTick) -> ChatRef:
    if event.chat.chat_id == row.chat_id:
        return event.chat
    return ChatRef(row.platform, row.chat_id, ChatKind(row.chat_kind))
