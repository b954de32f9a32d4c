"""`Runner`: calls the handlers of one event with a context, under the handler timeout.

In a batch (the common case) a failing or late handler fails the whole batch (`BatchFailed`):
the loop rolls it back and runs its events again one at a time. Then (``isolated``) each handler
gets a savepoint of its own: a failing handler's writes and messages are undone, the others' are
kept, the traceback is logged with the plugin's name, and the person gets a short apology in
their language (a passive hook failing in a group apologises at most every few minutes).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.commands import Command
from qunzhu.core.context import Context, EventClaim
from qunzhu.core.errors import UsageError
from qunzhu.core.model._events import Event
from qunzhu.core.people import Person
from qunzhu.core.plugins import domain_of

if TYPE_CHECKING:
    from qunzhu.core.dispatch._routing import Router

__all__ = ["BatchFailed", "Runner", "inject"]

log = logging.getLogger("qunzhu.dispatcher")


class BatchFailed(Exception):
    """A handler failed inside a batch: roll the batch back and redo it event by event."""


class Runner:
    """Runs the handlers of one event inside a batch: builds contexts, enforces the timeout,
    and in isolated mode gives each handler a savepoint."""

    __slots__ = (
        "claim",
        "contexts",
        "inbox_id",
        "isolated",
        "lang",
        "person",
        "router",
        "session",
        "timed_out",
    )

    def __init__(
        self,
        router: Router,
        inbox_id: int,
        *,
        session: AsyncSession,
        contexts: list[Context],
        timed_out: set[tuple[int, str]],
        isolated: bool,
        person: Person,
        lang: str,
    ) -> None:
        self.router = router
        self.inbox_id = inbox_id
        self.session = session
        self.contexts = contexts
        self.timed_out = timed_out
        self.isolated = isolated
        self.person = person
        self.lang = lang
        self.claim = EventClaim()

    def context(self, event: Event, plugin: str) -> Context:
        app = self.router.app
        t = app.catalogs.translator(self.lang, domain_of(plugin))
        ctx = Context(app, event, plugin, self.person, t=t, db=self.session, claim=self.claim)
        self.contexts.append(ctx)
        return ctx

    async def call(
        self,
        ctx: Context,
        fn: Callable[..., Any],
        kwargs: dict[str, Any],
        what: str,
        user_facing: bool,
    ) -> None:
        key = (self.inbox_id, what)
        if not self.isolated:
            try:
                await self._invoke(fn, kwargs)
            except TimeoutError:
                self.timed_out.add(key)
                raise BatchFailed from None
            except Exception as exc:
                raise BatchFailed from exc
            return
        router = self.router
        nested = await self.session.begin_nested()
        try:
            if key in self.timed_out:
                raise TimeoutError
            await self._invoke(fn, kwargs)
            await self.session.flush()
            await nested.commit()
            return
        except UsageError as exc:
            await nested.rollback()
            ctx.rolled_back()
            await ctx.reply(str(exc))
        except TimeoutError:
            await nested.rollback()
            ctx.rolled_back()
            router.app.tally.inc("handler_errors", kind="timeout")
            log.error(
                "event=handler_timeout handler=%s chat=%s seconds=%s",
                what,
                ctx.chat.key,
                router.watchdog.timeout,
            )
            if router.should_notify(ctx.chat.key, user_facing):
                await ctx.reply(ctx.t.core("Sorry, that took too long. Please try again later."))
        except Exception:
            await nested.rollback()
            ctx.rolled_back()
            router.app.tally.inc("handler_errors", kind="exception")
            log.exception("event=handler_failed handler=%s chat=%s", what, ctx.chat.key)
            if router.should_notify(ctx.chat.key, user_facing):
                await ctx.reply(
                    ctx.t.core(
                        "Sorry, something went wrong while handling that. It has been logged."
                    )
                )

    async def _invoke(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        result = fn(**kwargs)
        if inspect.isawaitable(result):
            await self.router.watchdog.run(result)


def inject(ctx: Context, cmd: Command) -> dict[str, Any]:
    """The context's parts a command handler asks for by parameter name (``ctx``, ``db``…)."""
    return {name: ctx if name == "ctx" else getattr(ctx, name) for name in cmd.inject}
